/* report_html.c — the report as one self-contained, printable HTML page with inline SVG charts (no script, no
 * network). Every bar and point carries data-label and data-value so that a test can read the figures drawn.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_cli.h"
#include "report_format.h"
#include "report_labels.h"
#include "report_narrative.h"
#include "report_render.h"

#define H(s) report_html_escape(out, (s))

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei','PingFang SC',sans-serif;"
    "margin:0 auto;max-width:1240px;padding:16px 24px;color:#1d2733;background:#fff;font-size:14px}"
    "header{border-bottom:3px solid #b3261e;padding-bottom:8px;margin-bottom:16px}"
    "h1{font-size:24px;margin:0 0 4px}h1 .en,h2 .en,h3 .en{font-weight:normal;color:#55606e;font-size:.8em}"
    "h2{font-size:18px;border-left:5px solid #b3261e;padding-left:8px;margin:28px 0 8px}"
    "h3{font-size:15px;margin:4px 0}"
    ".meta{color:#55606e;margin:2px 0}"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}"
    ".card{border:1px solid #d5dbe3;border-radius:6px;padding:10px 12px;background:#f7f9fb}"
    ".card .k{color:#55606e;font-size:12px}.card .v{font-size:22px;font-weight:bold;margin-top:4px}"
    ".card.alert{border-color:#b3261e;background:#fdf1f0}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    ".chart{border:1px solid #d5dbe3;border-radius:6px;padding:8px}"
    "svg{width:100%;height:auto;display:block}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 4px;font-size:12.5px}"
    "th,td{border:1px solid #d5dbe3;padding:4px 6px;vertical-align:top}"
    "th{background:#eef2f6;text-align:left;font-weight:600}th "
    ".en{display:block;font-weight:normal;color:#55606e;"
    "font-size:11px}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.total td{font-weight:bold;background:#f7f9fb}"
    "table.vertical{width:auto;min-width:520px}table.vertical th .en{display:inline;margin-left:6px}"
    ".note{color:#55606e;font-size:12px;margin:2px 0 6px}"
    ".empty{color:#55606e;font-style:italic}"
    ".problems td{background:#fdf1f0}"
    ".rule{background:#fff8e1;border:1px solid #e8d9a0;padding:6px 10px;border-radius:4px;font-size:12.5px}"
    "footer{margin-top:28px;color:#55606e;font-size:12px;border-top:1px solid #d5dbe3;padding-top:6px}"
    ".narrative{background:#f3f7fb;border:1px solid #cfdbe8;border-radius:6px;padding:8px 12px;margin:14px 0;"
    "line-height:1.6}.narrative p{margin:4px 0}"
    "footer dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}footer "
    "dd{margin:0}"
    "@page{size:A4;margin:12mm}"
    /* Print: each part starts a page; a table split across pages repeats its header row; rows, charts and
     * cards are not cut in two. */
    "@media print{body{max-width:none;padding:0;font-size:10px}.charts{grid-template-columns:1fr 1fr}"
    ".part{break-before:page}thead{display:table-header-group}tfoot{display:table-footer-group}"
    "tr,.chart,.cards,.narrative{break-inside:avoid}h2{break-after:avoid}th .en{font-size:9px}"
    "table{font-size:9.5px}th,td{padding:2px 4px}}";

static void heading(FILE *out, const char *tag, const char *zh, const char *en)
{
    fprintf(out, "<%s>", tag);
    H(zh);
    fputs(" <span class=\"en\">", out);
    H(en);
    fprintf(out, "</span></%s>\n", tag);
}

/* ---------------------------------------------------------------- charts */

typedef struct bar {
    char key[96];   /* data-label */
    char text[256]; /* what the reader sees */
    int64_t value;  /* data-value */
    char shown[REPORT_NUM_LEN];
    const char *color; /* NULL: the chart's */
} bar;

#define MAX_BARS 64

/* A horizontal bar chart: label | bar | value. unit is "fen", "count" or "bp". reference (when >= 0) draws a
 * dashed line (the city's figure) labelled ref_text. */
static void svg_hbars(FILE *out, const char *id, const char *zh, const char *en, const char *unit,
                      const bar *bars, size_t n, const char *color, int64_t reference, const char *ref_text)
{
    const int label_w = 200, bar_w = 290, row_h = 24, top = 8;
    int height = top * 2 + (int)(n == 0 ? 1 : n) * row_h + (reference >= 0 ? 18 : 0);
    int64_t max = reference > 0 ? reference : 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    fprintf(out, "<div class=\"chart\">");
    heading(out, "h3", zh, en);
    fprintf(out,
            "<svg id=\"%s\" class=\"chart-svg\" data-unit=\"%s\" viewBox=\"0 0 600 %d\" role=\"img\" "
            "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n",
            id, unit, height);
    if (n == 0)
        fprintf(out,
                "<text x=\"300\" y=\"%d\" text-anchor=\"middle\" fill=\"#55606e\">无数据 No data</text>\n",
                top + 16);
    for (size_t i = 0; i < n; i++) {
        int y = top + (int)i * row_h;
        /* Integer arithmetic: the width is value / max of the bar area, whole pixels (min 1 px when not 0).
         */
        int64_t w = max > 0 ? bars[i].value * bar_w / max : 0;
        if (w == 0 && bars[i].value > 0)
            w = 1;
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#1d2733\">", label_w - 6, y + 16);
        H(bars[i].text);
        fprintf(out,
                "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%lld\" height=\"%d\" fill=\"%s\" "
                "data-label=\"",
                label_w, y + 3, (long long)w, row_h - 6, bars[i].color ? bars[i].color : color);
        H(bars[i].key);
        fprintf(out, "\" data-value=\"%lld\"><title>", (long long)bars[i].value);
        H(bars[i].text);
        /* Values in a right-aligned column of their own, so that no bar or reference line runs through them.
         */
        fprintf(
            out,
            ": %s</title></rect><text x=\"596\" y=\"%d\" text-anchor=\"end\" fill=\"#1d2733\">%s</text>\n",
            bars[i].shown, y + 16, bars[i].shown);
    }
    if (reference >= 0 && max > 0) {
        int64_t x = label_w + reference * bar_w / max;
        int y_end = top + (int)n * row_h;
        fprintf(out,
                "<line class=\"reference\" x1=\"%lld\" y1=\"%d\" x2=\"%lld\" y2=\"%d\" stroke=\"#b3261e\" "
                "stroke-dasharray=\"4 3\" data-value=\"%lld\"/>",
                (long long)x, top, (long long)x, y_end, (long long)reference);
        fprintf(out, "<text x=\"%lld\" y=\"%d\" text-anchor=\"middle\" fill=\"#b3261e\">", (long long)x,
                y_end + 14);
        H(ref_text);
        fputs("</text>\n", out);
    }
    fputs("</svg></div>\n", out);
}

/* Claims per month as a line with one point per month. */
static void svg_months(FILE *out, const report_table *t)
{
    const int left = 44, right = 16, top = 16, plot_h = 200, width = 600;
    int height = top + plot_h + 40;
    int64_t max = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (report_table_cell(t, r, 1)->num > max)
            max = report_table_cell(t, r, 1)->num;
    fputs("<div class=\"chart\">", out);
    heading(out, "h3", "月度理赔案件数", "Claims by month reported");
    fprintf(out,
            "<svg id=\"chart-claims-by-month\" class=\"chart-svg\" data-unit=\"count\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n",
            width, height);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8894a3\"/>", left, top + plot_h,
            width - right, top + plot_h);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8894a3\"/>\n", left, top, left,
            top + plot_h);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#55606e\">%lld</text>", left - 4,
            top + 4, (long long)max);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#55606e\">0</text>\n", left - 4,
            top + plot_h + 4);
    if (t->nrows == 0) {
        fprintf(out,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#55606e\">无理赔 No claims</text>\n",
                width / 2, top + plot_h / 2);
        fputs("</svg></div>\n", out);
        return;
    }
    int span = width - left - right - 20;
    int step = t->nrows > 1 ? span / (int)(t->nrows - 1) : 0;
    fputs("<polyline fill=\"none\" stroke=\"#1f6fb2\" stroke-width=\"2\" points=\"", out);
    for (size_t r = 0; r < t->nrows; r++) {
        int64_t v = report_table_cell(t, r, 1)->num;
        fprintf(out, "%d,%lld ", left + 10 + (int)r * step,
                (long long)(top + plot_h - (max ? v * plot_h / max : 0)));
    }
    fputs("\"/>\n", out);
    /* Beyond a year of months the labels would run into each other: label every k-th month, values only then.
     */
    size_t every = (t->nrows + 12) / 13;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *month = report_table_cell(t, r, 0)->text ? report_table_cell(t, r, 0)->text : "";
        int64_t v = report_table_cell(t, r, 1)->num;
        int x = left + 10 + (int)r * step;
        long long y = (long long)(top + plot_h - (max ? v * plot_h / max : 0));
        fprintf(out, "<circle class=\"point\" cx=\"%d\" cy=\"%lld\" r=\"4\" fill=\"#1f6fb2\" data-label=\"",
                x, y);
        H(month);
        fprintf(out, "\" data-value=\"%lld\"><title>", (long long)v);
        H(month);
        fprintf(out, ": %lld</title></circle>", (long long)v);
        if (r % every == 0) {
            fprintf(out, "<text x=\"%d\" y=\"%lld\" text-anchor=\"middle\" fill=\"#1d2733\">%lld</text>", x,
                    y - 8, (long long)v);
            fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#55606e\">", x,
                    top + plot_h + 16);
            H(strlen(month) == 7 ? month + 2 : month);
            fputs("</text>", out);
        }
        fputc('\n', out);
    }
    fputs("</svg></div>\n", out);
}

static void charts(FILE *out, const report *rep)
{
    bar bars[MAX_BARS];
    memset(bars, 0, sizeof bars);
    size_t n = 0;
    /* Paid by liability: every liability, paid or not. */
    const report_table *cl = &rep->tables[REPORT_T_CLAIMS];
    for (size_t l = 0; l < 5; l++) {
        bar *b = &bars[n++];
        snprintf(b->key, sizeof b->key, "%s", report_liability_codes[l]);
        snprintf(b->text, sizeof b->text, "%s", report_label(REPORT_CODE_LIABILITY, b->key, true));
        b->value = 0;
        for (size_t r = 0; r < cl->nrows; r++)
            if (strcmp(report_table_cell(cl, r, 0)->text, b->key) == 0)
                b->value += report_table_cell(cl, r, 9)->num;
        report_fen_to_yuan(b->value, true, b->shown);
    }
    fputs("<section class=\"charts\">\n", out);
    svg_hbars(out, "chart-paid-by-liability", "各项责任赔付金额（元）", "Paid by liability (yuan)", "fen",
              bars, n, "#b3261e", -1, NULL);

    /* Loss ratio by unit, with the city's as a dashed line. */
    const report_table *lr = &rep->tables[REPORT_T_LOSS_RATIO];
    n = 0;
    for (size_t r = 0; r < lr->nrows && n < MAX_BARS; r++) {
        const report_cell *ratio = report_table_cell(lr, r, 4);
        if (ratio->null)
            continue; /* no premium: no ratio */
        bar *b = &bars[n++];
        const char *code = report_table_cell(lr, r, 0)->text;
        const char *zh = report_unit_name_of(rep, code, true);
        snprintf(b->key, sizeof b->key, "%s", code);
        snprintf(b->text, sizeof b->text, "%s", zh ? zh : code);
        b->value = ratio->num;
        report_bp_to_percent(b->value, b->shown);
    }
    char ref_text[96] = "";
    int64_t ref = -1;
    if (rep->unit[0] == '\0' && lr->total != NULL && !lr->total[4].null) { /* the city's, city-wide only */
        char pct[REPORT_NUM_LEN];
        ref = lr->total[4].num;
        report_bp_to_percent(ref, pct);
        snprintf(ref_text, sizeof ref_text, "全市 city %s", pct);
    }
    svg_hbars(out, "chart-loss-ratio-by-unit", "各单位赔付率", "Loss ratio by unit", "bp", bars, n, "#1f6fb2",
              ref, ref_text);

    svg_months(out, &rep->tables[REPORT_T_MONTHLY]);

    /* Enrollment by category: households, children, parents and guardians of A and B. */
    const report_table *en = &rep->tables[REPORT_T_ENROLLMENT];
    static const char *const measures[3][3] = {
        {"households", "参保家庭", "households"},
        {"insured_children", "参保子女", "children"},
        {"insured_parents_guardians", "父母或监护人", "parents/guardians"}};
    n = 0;
    for (int cat = 0; cat < 2; cat++) {
        const char *code = cat == 0 ? "A" : "B";
        for (int m = 0; m < 3; m++) {
            bar *b = &bars[n++];
            snprintf(b->key, sizeof b->key, "%s:%s", code, measures[m][0]);
            snprintf(b->text, sizeof b->text, "%s类 %s", code, measures[m][1]);
            b->value = 0;
            for (size_t r = 0; r < en->nrows; r++)
                if (strcmp(report_table_cell(en, r, 1)->text, code) == 0)
                    b->value += report_table_cell(en, r, (size_t)(2 + m))->num;
            report_count_text(b->value, true, b->shown);
        }
    }
    svg_hbars(out, "chart-enrollment-by-category", "各类别参保情况", "Enrollment by category", "count", bars,
              n, "#2e7d32", -1, NULL);

    /* Claims per unit, the previous plan year (grey, when it has data) above this one. */
    const report_table *yv = &rep->tables[REPORT_T_YOY_VOLUME];
    memset(bars, 0, sizeof bars);
    n = 0;
    for (size_t r = 0; r < yv->nrows && n + 2 <= MAX_BARS; r++) {
        const char *code = report_table_cell(yv, r, 0)->text;
        const char *zh = report_unit_name_of(rep, code, true);
        for (int prev = 1; prev >= 0; prev--) {
            const report_cell *c = report_table_cell(yv, r, prev ? 5 : 6);
            if (c->null)
                continue;
            bar *b = &bars[n++];
            snprintf(b->key, sizeof b->key, "%s:%d", code, rep->plan_year - prev);
            snprintf(b->text, sizeof b->text, "%s %d", zh ? zh : code, rep->plan_year - prev);
            b->value = c->num;
            b->color = prev ? "#9aa5b1" : NULL;
            report_count_text(b->value, true, b->shown);
        }
    }
    svg_hbars(out, "chart-claims-year-over-year", "各单位理赔案件数：上年与本年",
              "Claims by unit: previous and this year", "count", bars, n, "#1f6fb2", -1, NULL);

    /* Claims per 1,000 insured by unit, the city's as a dashed line (a unit far below it may be
     * under-reporting). */
    const report_table *fq = &rep->tables[REPORT_T_FREQUENCY];
    memset(bars, 0, sizeof bars);
    n = 0;
    for (size_t r = 0; r < fq->nrows && n < MAX_BARS; r++) {
        const report_cell *v = report_table_cell(fq, r, 3);
        if (v->null)
            continue; /* no insured: no frequency */
        bar *b = &bars[n++];
        const char *code = report_table_cell(fq, r, 0)->text;
        const char *zh = report_unit_name_of(rep, code, true);
        snprintf(b->key, sizeof b->key, "%s", code);
        snprintf(b->text, sizeof b->text, "%s", zh ? zh : code);
        b->value = v->num;
        report_tenths_text(b->value, b->shown);
        strcat(b->shown, "‰");
    }
    ref = -1;
    ref_text[0] = '\0';
    if (rep->unit[0] == '\0' && fq->total != NULL && !fq->total[3].null) {
        char per[REPORT_NUM_LEN];
        ref = fq->total[3].num;
        report_tenths_text(ref, per);
        snprintf(ref_text, sizeof ref_text, "全市 city %s‰", per);
    }
    svg_hbars(out, "chart-claim-frequency-by-unit", "各单位每千名参保人案件数",
              "Claims per 1,000 insured by unit", "tenths_per_mille", bars, n, "#8e5bb5", ref, ref_text);
    fputs("</section>\n", out);
}

/* ---------------------------------------------------------------- tables */

static void html_table(FILE *out, const report *rep, const report_table *t, int number,
                       const char *extra_class)
{
    char text[512], title_zh[256];
    snprintf(title_zh, sizeof title_zh, "%d. %s", number, t->zh);
    fprintf(out, "<section id=\"%s\">\n", t->key);
    heading(out, "h2", title_zh, t->en);
    if (t->note_zh != NULL) {
        fputs("<p class=\"note\">", out);
        H(t->note_zh);
        fputs("<br>", out);
        H(t->note_en);
        fputs("</p>\n", out);
    }
    if (t->vertical && t->nrows == 1) {
        fputs("<table class=\"vertical\"><tbody>\n", out);
        for (size_t c = 0; c < t->ncols; c++) {
            fputs("<tr><th>", out);
            H(t->cols[c].zh);
            fputs("<span class=\"en\">", out);
            H(t->cols[c].en);
            fputs(t->cols[c].kind == REPORT_FEN ? " (yuan)" : "", out);
            report_cell_human(rep, &t->cols[c], report_table_cell(t, 0, c), text, sizeof text);
            fputs("</span></th><td class=\"n\">", out);
            H(text);
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody></table></section>\n", out);
        return;
    }
    if (t->nrows == 0) {
        const char *empty = strcmp(t->key, "problems") == 0 ? "未发现突出问题 No problems found."
                            : strcmp(t->key, "pending_by_age") == 0 ? "无待审核案件 No claims pending review."
                            : (strncmp(t->key, "claims", 6) == 0 || strcmp(t->key, "settlement_time") == 0 ||
                               strcmp(t->key, "decline_reasons") == 0)
                                ? "无理赔 No claims."
                                : "无数据 No data.";
        fprintf(out, "<p class=\"empty\">%s</p></section>\n", empty);
        return;
    }
    fprintf(out, "<table class=\"%s\"><thead><tr>", extra_class);
    for (size_t c = 0; c < t->ncols; c++) {
        if (!report_column_for_people(&t->cols[c]))
            continue;
        fputs("<th>", out);
        H(t->cols[c].zh);
        fputs("<span class=\"en\">", out);
        H(t->cols[c].en);
        fputs(t->cols[c].kind == REPORT_FEN ? " (yuan)" : "", out);
        fputs("</span></th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs("<tr>", out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (!report_column_for_people(&t->cols[c]))
                continue;
            report_cell_human(rep, &t->cols[c], report_table_cell(t, r, c), text, sizeof text);
            fputs(t->cols[c].kind >= REPORT_COUNT ? "<td class=\"n\">" : "<td>", out);
            H(text);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    if (t->total != NULL) {
        fputs("<tr class=\"total\">", out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (!report_column_for_people(&t->cols[c]))
                continue;
            if (c == 0)
                snprintf(text, sizeof text, "%s",
                         rep->unit[0] || t != &rep->tables[REPORT_T_SETTLEMENT] ? "合计 Total" : "全市 City");
            else if (t->cols[c].kind < REPORT_COUNT)
                text[0] = '\0';
            else
                report_cell_human(rep, &t->cols[c], &t->total[c], text, sizeof text);
            fputs(c > 0 && t->cols[c].kind >= REPORT_COUNT ? "<td class=\"n\">" : "<td>", out);
            H(text);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></section>\n", out);
}

/* The first thing a claims officer sees: the year's key figures. */
static void cards(FILE *out, const report *rep)
{
    const report_table *s = &rep->tables[REPORT_T_SUMMARY];
    static const char *const keys[] = {"claims",
                                       "paid",
                                       "loss_ratio",
                                       "decline_rate",
                                       "pending",
                                       "mean_days",
                                       "premium",
                                       "households",
                                       "claims_per_1000",
                                       "average_paid",
                                       "pending_outstanding",
                                       "insured"};
    char text[256];
    fputs("<section id=\"key-figures\" class=\"cards\">\n", out);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int c = report_table_col(s, keys[i]);
        if (c < 0 || s->nrows != 1)
            continue;
        const report_column *col = &s->cols[c];
        const report_cell *cell = report_table_cell(s, 0, (size_t)c);
        report_cell_human(rep, col, cell, text, sizeof text);
        bool alert = strcmp(keys[i], "pending") == 0 && cell->num > 0;
        fprintf(out, "<div class=\"card%s\" data-key=\"%s\"><div class=\"k\">", alert ? " alert" : "",
                keys[i]);
        H(col->zh);
        fputs(" ", out);
        H(col->en);
        fputs(col->kind == REPORT_FEN ? "（元）" : strcmp(col->key, "mean_days") == 0 ? "（天）" : "", out);
        fputs("</div><div class=\"v\">", out);
        H(text);
        fputs("</div></div>\n", out);
    }
    fputs("</section>\n", out);
}

/* The generated sentences, Chinese then English. */
static fm_status narrative(FILE *out, const report *rep)
{
    fputs("<section id=\"narrative\" class=\"narrative\">", out);
    for (int zh = 1; zh >= 0; zh--) {
        char *text = NULL;
        fm_status st = report_narrative(rep, zh, &text);
        if (st != FM_OK)
            return st;
        fprintf(out, "<p lang=\"%s\">", zh ? "zh-CN" : "en");
        H(text);
        fputs("</p>", out);
        free(text);
    }
    fputs("</section>\n", out);
    return FM_OK;
}

/* Where the figures come from: when written, the last decision included, the plan versions, famins' version.
 */
static void footer(FILE *out, const report *rep)
{
    char when[64] = "";
    time_t now = time(NULL) + 8 * 3600; /* Beijing time without depending on the machine's time zone */
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    fputs("<footer id=\"report-footer\"><dl>", out);
    fputs("<dt>生成时间 Generated</dt><dd class=\"generated\">", out);
    H(when);
    fputs(" 北京时间 (UTC+8)</dd>\n<dt>数据截止 Data cut-off</dt><dd class=\"cutoff\">", out);
    if (rep->cutoff[0]) {
        H(rep->cutoff);
        fputs(" 北京时间 (UTC+8) — 所含最后一项理赔决定 the last claim decision included", out);
    } else {
        fputs("无理赔决定 no claim decision", out);
    }
    fputs("</dd>\n<dt>保险方案版本 Plan versions</dt><dd class=\"plan-versions\">", out);
    H(rep->plan_versions[0] ? rep->plan_versions : "—");
    fputs(" (决定所用 named by the decisions); 名称取自 names from: ", out);
    H(rep->plan_version[0] ? rep->plan_version : "—");
    fputs("</dd>\n<dt>famins 版本 famins version</dt><dd class=\"famins-version\">", out);
    H(fm_cli_version());
    fputs("</dd>\n<dt>数据来源 Source</dt><dd>PostgreSQL famins_report views (one consistent snapshot) · "
          "金额由整数分计算 amounts computed from integer fen</dd></dl></footer>\n",
          out);
}

fm_status report_write_html(FILE *out, const report *rep)
{
    char title[256], rule[2048];
    snprintf(title, sizeof title, "西安市计划生育家庭综合保险 %d 年度理赔报告", rep->plan_year);
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
          out);
    H(title);
    fprintf(out, "</title><style>%s</style></head>\n<body>\n<header>", css);
    fputs("<h1>", out);
    H(title);
    fprintf(out,
            "<br><span class=\"en\">Annual claims report %d — Xi'an family-planning family comprehensive "
            "insurance</span></h1>\n",
            rep->plan_year);
    fputs("<p class=\"meta\">范围 Scope: ", out);
    if (rep->unit[0] != '\0') {
        const char *zh = report_unit_name_of(rep, rep->unit, true),
                   *en = report_unit_name_of(rep, rep->unit, false);
        H(zh ? zh : "");
        fputs(" ", out);
        H(en ? en : "");
        fputs(" (", out);
        H(rep->unit);
        fputs(")", out);
    } else {
        fputs("全市 whole city", out);
    }
    fputs(" · 金额单位：元 amounts in yuan · 保险方案 plan catalogue: ", out);
    H(rep->plan_version[0] ? rep->plan_version : "not found (unit names shown as codes)");
    fputs("</p></header>\n", out);

    cards(out, rep);
    fm_status st = narrative(out, rep);
    if (st != FM_OK)
        return st;
    html_table(out, rep, &rep->tables[REPORT_T_PROBLEMS], 1, "problems");
    fputs("<p class=\"rule\">", out);
    report_rule_text(&rep->rule, 1, rule, sizeof rule);
    H(rule);
    fputs("<br>", out);
    report_rule_text(&rep->rule, 0, rule, sizeof rule);
    H(rule);
    fputs("</p>\n", out);
    fputs("<div class=\"part\">", out);
    heading(out, "h2", "2. 图表", "Charts");
    charts(out, rep);
    fputs("</div>\n", out);
    int number = 3;
    for (int i = 0; i < REPORT_T_COUNT; i++) {
        if (i == REPORT_T_PROBLEMS)
            continue;
        /* Parts of the printed report: the summary, the comparisons with the previous year, the details. */
        if (i == REPORT_T_SUMMARY || i == REPORT_T_YOY_VOLUME || i == REPORT_T_ENROLLMENT)
            fputs(i == REPORT_T_SUMMARY ? "<div class=\"part\">\n" : "</div><div class=\"part\">\n", out);
        if (i == REPORT_T_YOY_VOLUME && rep->prev_year_empty)
            fprintf(out,
                    "<p class=\"rule\" id=\"no-previous-year\">上一方案年度（%d）无数据，无法对比。 No data "
                    "for the "
                    "previous plan year (%d): nothing to compare with.</p>\n",
                    rep->plan_year - 1, rep->plan_year - 1);
        html_table(out, rep, &rep->tables[i], number++, "");
    }
    fputs("</div>\n", out);
    footer(out, rep);
    fputs("</body></html>\n", out);
    return ferror(out) ? FM_EIO : FM_OK;
}
