/* report_narrative.c — the report's few sentences in Chinese and English: the year's main figures and each
 * problem. */
#include "report_narrative.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_format.h"
#include "report_labels.h"

/* The human text of the summary cell key ("" when the column does not exist), without thousands grouping
 * issues: the same formatter as the tables. */
static const report_cell *summary_cell(const report *rep, const char *key, const report_column **col)
{
    const report_table *s = &rep->tables[REPORT_T_SUMMARY];
    int c = report_table_col(s, key);
    if (c < 0 || s->nrows != 1)
        return NULL;
    *col = &s->cols[c];
    return report_table_cell(s, 0, (size_t)c);
}

static void value_text(const report_column *col, const report_cell *cell, bool chinese,
                       char out[REPORT_NUM_LEN])
{
    if (cell == NULL || cell->null) {
        snprintf(out, REPORT_NUM_LEN, "%s", chinese ? "无数据" : "no data");
        return;
    }
    switch (col->kind) {
    case REPORT_FEN: report_fen_to_yuan(cell->num, true, out); break;
    case REPORT_BP: report_bp_to_percent(cell->num, out); break;
    case REPORT_TENTHS: report_tenths_text(cell->num, out); break;
    default: report_count_text(cell->num, true, out); break;
    }
}

static void fig(const report *rep, const char *key, bool chinese, char out[REPORT_NUM_LEN])
{
    const report_column *col = NULL;
    value_text(col, summary_cell(rep, key, &col), chinese, out);
}

/* A figure with its unit ("40.1件", "8.5 days"), or what is missing ("无数据", "not known") when it has no
 * value. */
static void fig_unit(const report *rep, const char *key, bool chinese, const char *unit, char *out,
                     size_t cap)
{
    const report_column *col = NULL;
    const report_cell *cell = summary_cell(rep, key, &col);
    char num[REPORT_NUM_LEN];
    if (cell == NULL || cell->null) {
        snprintf(out, cap, "%s", chinese ? "无数据" : "not known");
        return;
    }
    value_text(col, cell, chinese, num);
    snprintf(out, cap, "%s%s", num, unit);
}

/* "增加 12" / "up 12" of this year against the previous, from the comparison tables' total row. */
static void change_text(const report_table *t, const char *key, bool chinese, char *out, size_t cap)
{
    char k_prev[64];
    snprintf(k_prev, sizeof k_prev, "%s_prev", key);
    int cp = report_table_col(t, k_prev), cc = report_table_col(t, key);
    if (cp < 0 || cc < 0 || t->total == NULL || t->total[cp].null || t->total[cc].null) {
        snprintf(out, cap, "%s", chinese ? "上年无数据" : "no data for the previous year");
        return;
    }
    int64_t d = t->total[cc].num - t->total[cp].num;
    char num[REPORT_NUM_LEN], prev[REPORT_NUM_LEN];
    int64_t mag = d < 0 ? -d : d;
    if (t->cols[cc].kind == REPORT_FEN) {
        report_fen_to_yuan(mag, true, num);
        report_fen_to_yuan(t->total[cp].num, true, prev);
    } else {
        report_count_text(mag, true, num);
        report_count_text(t->total[cp].num, true, prev);
    }
    if (chinese)
        snprintf(out, cap, d == 0 ? "与上年（%s）持平%s%s" : "比上年（%s）%s%s", prev,
                 d == 0  ? ""
                 : d > 0 ? "增加"
                         : "减少",
                 d == 0 ? "" : num);
    else if (d == 0)
        snprintf(out, cap, "the same as the previous year's %s", prev);
    else
        snprintf(out, cap, "%s %s from the previous year's %s", d > 0 ? "up" : "down", num, prev);
}

/* A problem's value in one language: the table's cells say "44.5 天 days"; the sentence wants "44.5天" or
 * "44.5 days". */
static void one_language(const char *cell, bool chinese, char *out, size_t cap)
{
    static const char *const pairs[][2] = {
        {" 天 days", "天"}, {" 元 yuan", "元"}, {" 预期 expected", "预期"}};
    snprintf(out, cap, "%s", cell != NULL ? cell : "");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *at = strstr(out, pairs[i][0]);
        if (at == NULL)
            continue;
        const char *word = chinese ? pairs[i][1] : strrchr(pairs[i][0], ' ');
        snprintf(at, cap - (size_t)(at - out), "%s", word);
    }
}

static void scope_name(const report *rep, bool chinese, char *out, size_t cap)
{
    if (rep->unit[0] == '\0') {
        snprintf(out, cap, "%s", chinese ? "全市" : "the city");
        return;
    }
    const char *name = report_unit_name_of(rep, rep->unit, chinese);
    snprintf(out, cap, "%s", name ? name : rep->unit);
}

fm_status report_narrative(const report *rep, bool chinese, char **out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return FM_ENOMEM;
    char hh[REPORT_NUM_LEN], ins[REPORT_NUM_LEN], prem[REPORT_NUM_LEN], claims[REPORT_NUM_LEN];
    char paid[REPORT_NUM_LEN], decl[REPORT_NUM_LEN], pend[REPORT_NUM_LEN], outst[REPORT_NUM_LEN];
    char freq[64], avg[64], loss[64], rate[64], days[64];
    char expected[REPORT_NUM_LEN] = "", scope[160], ch_claims[160], ch_paid[160];
    fig(rep, "households", chinese, hh);
    fig(rep, "insured", chinese, ins);
    fig(rep, "premium", chinese, prem);
    fig(rep, "claims", chinese, claims);
    fig(rep, "paid", chinese, paid);
    fig(rep, "declined", chinese, decl);
    fig(rep, "pending", chinese, pend);
    fig(rep, "pending_outstanding", chinese, outst);
    fig_unit(rep, "claims_per_1000", chinese, chinese ? "件" : "", freq, sizeof freq);
    fig_unit(rep, "average_paid", chinese, chinese ? "元" : " yuan", avg, sizeof avg);
    fig_unit(rep, "loss_ratio", chinese, "", loss, sizeof loss);
    fig_unit(rep, "decline_rate", chinese, "", rate, sizeof rate);
    fig_unit(rep, "mean_days", chinese, chinese ? "天" : " days", days, sizeof days);
    if (rep->rule.expected_loss_bp > 0)
        report_bp_to_percent(rep->rule.expected_loss_bp, expected);
    scope_name(rep, chinese, scope, sizeof scope);
    const report_table *vol = &rep->tables[REPORT_T_YOY_VOLUME];
    change_text(vol, "claims", chinese, ch_claims, sizeof ch_claims);
    change_text(vol, "paid", chinese, ch_paid, sizeof ch_paid);
    if (chinese)
        fprintf(
            f,
            "%d年度，%s参保家庭%s户、参保%s人，保费收入%s元；受理理赔案件%s件（每千名参保人：%s），%s；"
            "赔付金额%s元（件均：%s），%s；赔付率：%s%s%s%s。拒赔%s件，拒赔率：%s；待审核%s件，申请金额%s元；"
            "平均结案时间：%s。",
            rep->plan_year, scope, hh, ins, prem, claims, freq, ch_claims, paid, avg, ch_paid, loss,
            expected[0] ? "（方案预期" : "", expected, expected[0] ? "）" : "", decl, rate, pend, outst,
            days);
    else
        fprintf(
            f,
            "In plan year %d, %s insured %s households (%s persons) for %s yuan of premium; %s claims were "
            "made (per 1,000 insured: %s), %s; %s yuan was paid (per paid claim: %s), %s; loss ratio: "
            "%s%s%s%s. %s claims were declined (decline rate: %s); %s pending review, claiming %s yuan; "
            "mean settlement time: %s.",
            rep->plan_year, scope, hh, ins, prem, claims, freq, ch_claims, paid, avg, ch_paid, loss,
            expected[0] ? " (the plan expects " : "", expected, expected[0] ? ")" : "", decl, rate, pend,
            outst, days);
    const report_table *p = &rep->tables[REPORT_T_PROBLEMS];
    if (p->nrows == 0)
        fputs(chinese ? "按判定规则未发现突出问题。" : " By the rule, no problem stands out.", f);
    else
        fprintf(f,
                chinese         ? "发现突出问题%zu项："
                : p->nrows == 1 ? " %zu problem stands out:"
                                : " %zu problems stand out:",
                p->nrows);
    for (size_t r = 0; r < p->nrows; r++) {
        const char *unit = report_table_cell(p, r, 0)->text, *ind = report_table_cell(p, r, 1)->text;
        const char *uname = report_unit_name_of(rep, unit, chinese),
                   *label = report_label(REPORT_CODE_INDICATOR, ind, chinese);
        char uv[96], cv[96];
        one_language(report_table_cell(p, r, 2)->text, chinese, uv, sizeof uv);
        one_language(report_table_cell(p, r, 3)->text, chinese, cv, sizeof cv);
        bool city = strcmp(unit, REPORT_CITY_CODE) == 0;
        if (city) {
            cv[strspn(cv, "0123456789.%")] = '\0'; /* "50.00% expected": the number alone */
            if (chinese)
                fprintf(f, "%s%zu. 全市赔付率%s，偏离方案预期赔付率%s", r ? "；" : "", r + 1, uv, cv);
            else
                fprintf(f, " %zu. the city's loss ratio %s is far from the plan's expected %s%s", r + 1, uv,
                        cv, r + 1 < p->nrows ? ";" : ".");
        } else if (chinese)
            fprintf(f, "%s%zu. %s%s为%s（全市%s）", r ? "；" : "", r + 1, uname ? uname : unit,
                    label ? label : ind, uv, cv);
        else
            fprintf(f, " %zu. %s: %s %s (city %s)%s", r + 1, uname ? uname : unit, label ? label : ind, uv,
                    cv, r + 1 < p->nrows ? ";" : ".");
    }
    if (chinese && p->nrows > 0)
        fputs("。", f);
    if (fclose(f) != 0 || text == NULL) {
        free(text);
        return FM_ENOMEM;
    }
    *out = text;
    return FM_OK;
}
