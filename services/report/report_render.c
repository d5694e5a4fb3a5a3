/* report_render.c — writes a loaded report as Markdown, CSV or JSON (the HTML page is report_html.c). */
#include "report_render.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fm_cli.h"
#include "report_format.h"
#include "report_narrative.h"

void report_rule_text(const report_rule *rule, int chinese, char *out, size_t cap)
{
    char factor[REPORT_NUM_LEN];
    long long whole = (long long)(rule->factor_pct / 100), frac = (long long)(rule->factor_pct % 100);
    if (frac == 0)
        snprintf(factor, sizeof factor, "%lld", whole);
    else if (frac % 10 == 0)
        snprintf(factor, sizeof factor, "%lld.%lld", whole, frac / 10);
    else
        snprintf(factor, sizeof factor, "%lld.%02lld", whole, frac);
    char expected[REPORT_NUM_LEN] = "—";
    if (rule->expected_loss_bp > 0)
        report_bp_to_percent(rule->expected_loss_bp, expected);
    if (chinese)
        snprintf(
            out, cap,
            "判定规则：已结案件不少于%lld件的管理单位，其赔付率、拒赔率或平均结案天数超过全市水平的%s倍，"
            "即列为突出问题；财政补贴应拨与已拨不一致的单位一律列出；参保人数不少于%lld人的单位，"
            "其每千人案件数低于全市水平的1/%s，列为异常偏低；全市赔付率高于方案预期赔付率（%s）的%s倍"
            "或低于其1/%s，亦列为突出问题。保单未找到的案件计入全市数字，但不作为单位比较。",
            (long long)rule->min_claims, factor, (long long)rule->min_insured, factor, expected, factor,
            factor);
    else
        snprintf(
            out, cap,
            "Rule: a managing unit with at least %lld decided claims is named when its loss ratio, decline "
            "rate or mean settlement time is more than %s times the city's; any unit whose subsidy allocated "
            "differs from the subsidy due is named too; a unit with at least %lld insured persons whose "
            "claims per "
            "1,000 insured are below the city's divided by %s is named as suspiciously low; the city is "
            "named "
            "when its loss ratio is more than %s times the plan's expected loss ratio (%s) or below it "
            "divided by "
            "%s. Claims naming no policy count in the city's figures but are not compared as a unit.",
            (long long)rule->min_claims, factor, (long long)rule->min_insured, factor, factor, expected,
            factor);
}

static const char *code_label(const report *rep, const report_column *col, const char *code, bool chinese)
{
    if (col->kind == REPORT_UNIT)
        return report_unit_name_of(rep, code, chinese);
    if (col->kind == REPORT_CODED)
        return report_label(col->code_kind, code, chinese);
    return NULL;
}

bool report_column_for_people(const report_column *col)
{
    return !(col->kind == REPORT_CODED && col->code_kind == REPORT_CODE_MEASURE);
}

void report_cell_human(const report *rep, const report_column *col, const report_cell *cell, char *out,
                       size_t cap)
{
    char num[REPORT_NUM_LEN];
    if (cell->null) {
        snprintf(out, cap, "—");
        return;
    }
    switch (col->kind) {
    case REPORT_TEXT: snprintf(out, cap, "%s", cell->text ? cell->text : ""); return;
    case REPORT_UNIT:
    case REPORT_CODED: {
        const char *code = cell->text ? cell->text : "";
        const char *zh = code_label(rep, col, code, true), *en = code_label(rep, col, code, false);
        if (zh == NULL)
            snprintf(out, cap, "%s", code);
        else if (col->kind == REPORT_UNIT)
            snprintf(out, cap, "%s %s (%s)", zh, en, code);
        else
            snprintf(out, cap, "%s %s", zh, en);
        return;
    }
    case REPORT_COUNT: report_count_text(cell->num, true, num); break;
    case REPORT_FEN: report_fen_to_yuan(cell->num, true, num); break;
    case REPORT_BP: report_bp_to_percent(cell->num, num); break;
    case REPORT_TENTHS: report_tenths_text(cell->num, num); break;
    case REPORT_MEASURED: {
        report_measure m;
        if (!report_measure_parse(cell->text, &m)) { /* not made by the report: the number as it is */
            report_count_text(cell->num, true, num);
            break;
        }
        report_measure_number(m, cell->num, true, num);
        snprintf(out, cap, "%s%s", num, report_measure_unit(m, REPORT_LANG_BOTH));
        return;
    }
    }
    snprintf(out, cap, "%s", num);
}

/* ---------------------------------------------------------------- Markdown */

static const char *empty_text(const report_table *t)
{
    if (strcmp(t->key, "claims_by_liability") == 0 || strcmp(t->key, "claims_by_month") == 0 ||
        strcmp(t->key, "settlement_time") == 0 || strcmp(t->key, "decline_reasons") == 0)
        return "无理赔 No claims.";
    if (strcmp(t->key, "problems") == 0)
        return "未发现突出问题 No problems found.";
    if (strcmp(t->key, "pending_by_age") == 0)
        return "无待审核案件 No claims pending review.";
    return "无数据 No data.";
}

static void md_heading(FILE *out, const report_column *col)
{
    fprintf(out, " %s %s", col->zh, col->en);
    if (col->kind == REPORT_FEN)
        fputs(" (元 yuan)", out);
    fputs(" |", out);
}

static void md_table(FILE *out, const report *rep, const report_table *t, int number)
{
    char text[512];
    fprintf(out, "## %d. %s %s\n\n", number, t->zh, t->en);
    if (t->note_zh != NULL)
        fprintf(out, "%s  \n%s\n\n", t->note_zh, t->note_en);
    if (t->vertical && t->nrows == 1) {
        fputs("| 指标 Item | 数值 Value |\n|---|---:|\n", out);
        for (size_t c = 0; c < t->ncols; c++) {
            report_cell_human(rep, &t->cols[c], report_table_cell(t, 0, c), text, sizeof text);
            fprintf(out, "| %s %s%s | ", t->cols[c].zh, t->cols[c].en,
                    t->cols[c].kind == REPORT_FEN ? " (元 yuan)" : "");
            report_md_cell(out, text);
            fputs(" |\n", out);
        }
        fputc('\n', out);
        return;
    }
    if (t->nrows == 0) {
        fprintf(out, "%s\n\n", empty_text(t));
        return;
    }
    fputc('|', out);
    for (size_t c = 0; c < t->ncols; c++)
        if (report_column_for_people(&t->cols[c]))
            md_heading(out, &t->cols[c]);
    fputs("\n|", out);
    for (size_t c = 0; c < t->ncols; c++)
        if (report_column_for_people(&t->cols[c]))
            fputs(t->cols[c].kind >= REPORT_COUNT ? "---:|" : "---|", out);
    fputc('\n', out);
    for (size_t r = 0; r < t->nrows; r++) {
        fputc('|', out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (!report_column_for_people(&t->cols[c]))
                continue;
            report_cell_human(rep, &t->cols[c], report_table_cell(t, r, c), text, sizeof text);
            fputc(' ', out);
            report_md_cell(out, text);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    if (t->total != NULL) {
        fputc('|', out);
        for (size_t c = 0; c < t->ncols; c++) {
            if (!report_column_for_people(&t->cols[c]))
                continue;
            if (c == 0)
                snprintf(text, sizeof text, "**合计 Total**");
            else if (t->cols[c].kind < REPORT_COUNT)
                text[0] = '\0';
            else
                report_cell_human(rep, &t->cols[c], &t->total[c], text, sizeof text);
            fprintf(out, " %s%s%s |", c > 0 && text[0] ? "**" : "", text, c > 0 && text[0] ? "**" : "");
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

fm_status report_write_md(FILE *out, const report *rep)
{
    char rule[2048];
    fprintf(out, "# 西安市计划生育家庭综合保险 %d 年度理赔报告\n\n", rep->plan_year);
    fprintf(out, "**Annual claims report %d — Xi'an family-planning family comprehensive insurance**\n\n",
            rep->plan_year);
    if (rep->unit[0] != '\0') {
        const char *zh = report_unit_name_of(rep, rep->unit, true),
                   *en = report_unit_name_of(rep, rep->unit, false);
        fprintf(out, "范围 Scope: %s %s (%s)\n\n", zh ? zh : "", en ? en : "", rep->unit);
    } else {
        fputs("范围 Scope: 全市 whole city\n\n", out);
    }
    fprintf(out, "金额单位：元 Amounts in yuan. 保险方案 Plan catalogue: %s\n\n",
            rep->plan_version[0] ? rep->plan_version : "(not found: unit names are codes)");
    for (int zh = 1; zh >= 0; zh--) {
        char *text = NULL;
        fm_status st = report_narrative(rep, zh, &text);
        if (st != FM_OK)
            return st;
        fprintf(out, "%s\n\n", text);
        free(text);
    }
    for (int i = 0; i < REPORT_T_COUNT; i++) {
        if (i == REPORT_T_YOY_VOLUME && rep->prev_year_empty)
            fprintf(out, "上一方案年度（%d）无数据，无法对比。 No data for the previous plan year (%d).\n\n",
                    rep->plan_year - 1, rep->plan_year - 1);
        md_table(out, rep, &rep->tables[i], i + 1);
        if (i == REPORT_T_PROBLEMS) {
            report_rule_text(&rep->rule, 1, rule, sizeof rule);
            fprintf(out, "%s  \n", rule);
            report_rule_text(&rep->rule, 0, rule, sizeof rule);
            fprintf(out, "%s\n\n", rule);
        }
    }
    /* No generation time here: md (like json) is the same text for the same data. */
    fprintf(out, "---\n数据截止 Data cut-off: %s · 保险方案版本 Plan versions: %s · famins %s\n",
            rep->cutoff[0] ? rep->cutoff : "无理赔决定 no claim decision",
            rep->plan_versions[0] ? rep->plan_versions : "—", fm_cli_version());
    return ferror(out) ? FM_EIO : FM_OK;
}

/* ---------------------------------------------------------------- CSV */

static void csv_value(FILE *out, const report_column *col, const report_cell *cell)
{
    char num[REPORT_NUM_LEN];
    if (cell->null)
        return;
    switch (col->kind) {
    case REPORT_TEXT:
    case REPORT_UNIT:
    case REPORT_CODED: report_csv_field(out, cell->text ? cell->text : ""); return;
    case REPORT_COUNT: report_count_text(cell->num, false, num); break;
    case REPORT_FEN: report_fen_to_yuan(cell->num, false, num); break;
    case REPORT_BP:
        report_bp_to_percent(cell->num, num);
        num[strlen(num) - 1] = '\0'; /* the header says _pct */
        break;
    case REPORT_TENTHS: report_tenths_text(cell->num, num); break;
    case REPORT_MEASURED: {
        report_measure m;
        if (report_measure_parse(cell->text, &m))
            report_measure_number(m, cell->num, false, num);
        else
            report_count_text(cell->num, false, num);
        break;
    }
    }
    fputs(num, out);
}

fm_status report_write_csv_table(FILE *out, const report *rep, const report_table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        const report_column *col = &t->cols[c];
        fprintf(out, "%s%s", c ? "," : "", col->key);
        if (col->kind == REPORT_FEN)
            fputs("_yuan", out);
        else if (col->kind == REPORT_BP)
            fputs("_pct", out);
        else if (col->kind == REPORT_UNIT)
            fprintf(out, ",%s_name_zh,%s_name_en", col->key, col->key);
        else if (col->kind == REPORT_CODED)
            fprintf(out, ",%s_zh,%s_en", col->key, col->key);
    }
    fputs("\r\n", out);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const report_column *col = &t->cols[c];
            const report_cell *cell = report_table_cell(t, r, c);
            if (c)
                fputc(',', out);
            csv_value(out, col, cell);
            if (col->kind == REPORT_UNIT || col->kind == REPORT_CODED) {
                const char *zh = code_label(rep, col, cell->text, true),
                           *en = code_label(rep, col, cell->text, false);
                fputc(',', out);
                report_csv_field(out, zh ? zh : "");
                fputc(',', out);
                report_csv_field(out, en ? en : "");
            }
        }
        fputs("\r\n", out);
    }
    return ferror(out) ? FM_EIO : FM_OK;
}

/* ---------------------------------------------------------------- JSON */

/* Sets the JSON fields of one cell into obj (key, and labels for codes). Returns -1 on allocation failure. */
static int json_cell(json_t *obj, const report *rep, const report_column *col, const report_cell *cell)
{
    char key[96];
    json_t *v = NULL;
    switch (col->kind) {
    case REPORT_TEXT:
    case REPORT_UNIT:
    case REPORT_CODED:
        snprintf(key, sizeof key, "%s", col->key);
        v = cell->null || cell->text == NULL ? json_null() : json_string(cell->text);
        break;
    case REPORT_COUNT:
        snprintf(key, sizeof key, "%s", col->key);
        v = cell->null ? json_null() : json_integer(cell->num);
        break;
    case REPORT_FEN:
        snprintf(key, sizeof key, "%s_fen", col->key);
        v = cell->null ? json_null() : json_integer(cell->num);
        break;
    case REPORT_BP:
        snprintf(key, sizeof key, "%s_bp", col->key);
        v = cell->null ? json_null() : json_integer(cell->num);
        break;
    case REPORT_TENTHS: {
        snprintf(key, sizeof key, "%s", col->key);
        /* Days are not money: a number with one decimal is what a reader expects. */
        v = cell->null ? json_null() : json_real((double)cell->num / 10.0);
        break;
    }
    case REPORT_MEASURED: {
        /* The CSV's number in the row's measure (12.34 percent, 1234.5 yuan): a value to read beside the
         * city's, not an amount to add up (the tables of amounts keep integer fen). */
        report_measure m;
        snprintf(key, sizeof key, "%s", col->key);
        if (cell->null)
            v = json_null();
        else if (!report_measure_parse(cell->text, &m))
            v = json_integer(cell->num);
        else
            v = json_real((double)cell->num / (double)report_measure_divisor(m));
        break;
    }
    }
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        return -1;
    if ((col->kind == REPORT_UNIT || col->kind == REPORT_CODED) && !cell->null) {
        const char *zh = code_label(rep, col, cell->text, true),
                   *en = code_label(rep, col, cell->text, false);
        char kz[96], ke[96];
        snprintf(kz, sizeof kz, col->kind == REPORT_UNIT ? "%s_name_zh" : "%s_zh", col->key);
        snprintf(ke, sizeof ke, col->kind == REPORT_UNIT ? "%s_name_en" : "%s_en", col->key);
        if (json_object_set_new(obj, kz, zh ? json_string(zh) : json_null()) != 0 ||
            json_object_set_new(obj, ke, en ? json_string(en) : json_null()) != 0)
            return -1;
    }
    return 0;
}

static json_t *json_table(const report *rep, const report_table *t)
{
    json_t *obj = json_pack("{s:s, s:s, s:o, s:o}", "title_zh", t->zh, "title_en", t->en, "columns",
                            json_array(), "rows", json_array());
    if (obj == NULL)
        return NULL;
    json_t *cols = json_object_get(obj, "columns"), *rows = json_object_get(obj, "rows");
    for (size_t c = 0; c < t->ncols; c++)
        if (json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "key", t->cols[c].key, "zh",
                                                  t->cols[c].zh, "en", t->cols[c].en)) != 0)
            goto fail;
    for (size_t r = 0; r < t->nrows; r++) {
        json_t *row = json_object();
        if (row == NULL || json_array_append_new(rows, row) != 0)
            goto fail;
        for (size_t c = 0; c < t->ncols; c++)
            if (json_cell(row, rep, &t->cols[c], report_table_cell(t, r, c)) != 0)
                goto fail;
    }
    if (t->total != NULL) {
        json_t *total = json_object();
        if (total == NULL || json_object_set_new(obj, "total", total) != 0)
            goto fail;
        for (size_t c = 0; c < t->ncols; c++)
            if (t->cols[c].kind >= REPORT_COUNT && json_cell(total, rep, &t->cols[c], &t->total[c]) != 0)
                goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

fm_status report_write_json(FILE *out, const report *rep)
{
    char rule_zh[2048], rule_en[2048];
    report_rule_text(&rep->rule, 1, rule_zh, sizeof rule_zh);
    report_rule_text(&rep->rule, 0, rule_en, sizeof rule_en);
    fm_status st = FM_ENOMEM;
    json_t *root = json_pack("{s:s, s:i, s:o, s:o, s:s, s:{s:I, s:I, s:s, s:s}, s:o}", "report",
                             "famins annual claims report (年度理赔报告)", "plan_year", rep->plan_year,
                             "unit", rep->unit[0] ? json_string(rep->unit) : json_null(), "plan_version",
                             rep->plan_version[0] ? json_string(rep->plan_version) : json_null(), "amounts",
                             "integer fen (_fen), ratios basis points (_bp), days with one decimal", "rule",
                             "factor_pct", (json_int_t)rep->rule.factor_pct, "min_claims",
                             (json_int_t)rep->rule.min_claims, "text_zh", rule_zh, "text_en", rule_en,
                             "tables", json_object());
    if (root == NULL)
        goto done;
    char *nzh = NULL, *nen = NULL;
    if (report_narrative(rep, true, &nzh) != FM_OK || report_narrative(rep, false, &nen) != FM_OK ||
        json_object_set_new(root, "narrative_zh", json_string(nzh)) != 0 ||
        json_object_set_new(root, "narrative_en", json_string(nen)) != 0 ||
        json_object_set_new(root, "previous_year_has_data", json_boolean(!rep->prev_year_empty)) != 0 ||
        json_object_set_new(root, "data_cutoff", rep->cutoff[0] ? json_string(rep->cutoff) : json_null()) !=
            0 ||
        json_object_set_new(root, "plan_versions", json_string(rep->plan_versions)) != 0 ||
        json_object_set_new(root, "famins_version", json_string(fm_cli_version())) != 0 ||
        json_object_set_new(json_object_get(root, "rule"), "min_insured",
                            json_integer(rep->rule.min_insured)) != 0 ||
        json_object_set_new(json_object_get(root, "rule"), "expected_loss_ratio_bp",
                            json_integer(rep->rule.expected_loss_bp)) != 0) {
        free(nzh);
        free(nen);
        goto done;
    }
    free(nzh);
    free(nen);
    json_t *tables = json_object_get(root, "tables");
    for (int i = 0; i < REPORT_T_COUNT; i++) {
        json_t *t = json_table(rep, &rep->tables[i]);
        if (t == NULL || json_object_set_new(tables, rep->tables[i].key, t) != 0)
            goto done;
    }
    if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) != 0) {
        st = FM_EIO;
        goto done;
    }
    fputc('\n', out);
    st = ferror(out) ? FM_EIO : FM_OK;
done:
    json_decref(root);
    return st;
}
