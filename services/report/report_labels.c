/* report_labels.c — Chinese and English labels of the codes the report shows (liabilities, roles,
 * signals...). */
#include "report_labels.h"

#include <stddef.h>
#include <string.h>

#include "fm_reasons.h"

typedef struct label {
    const char *code;
    const char *zh;
    const char *en;
} label;

/* The liability names are the policy document's (市卫发〔2024〕86号). */
static const label liabilities[] = {
    {"death", "意外身故或疾病身故", "Death (accident or illness)"},
    {"critical_illness", "重大疾病", "Critical illness"},
    {"accidental_disability", "意外伤残", "Accidental disability"},
    {"accident_medical", "意外伤害医疗费", "Accident medical expenses"},
    {"illness_hospital", "疾病住院医疗费", "Illness hospitalisation expenses"},
};

const char *const report_liability_codes[5] = {"death", "critical_illness", "accidental_disability",
                                               "accident_medical", "illness_hospital"};

static const label roles[] = {
    {"child", "子女（第一被保险人）", "Child (first insured)"},
    {"parent", "父母（第二被保险人）", "Parent (second insured)"},
    {"guardian", "监护人（第二被保险人）", "Guardian (second insured)"},
    {"unknown", "未参保人员", "Not an insured person"},
};

static const label categories[] = {
    {"A", "A类 独生子女和农村双女户家庭", "A: only-child and rural two-daughter households"},
    {"B", "B类 一孩、两孩、三孩家庭", "B: one-, two- and three-child households"},
};

static const label signals[] = {
    {"DUPLICATE_INVOICE", "重复发票", "Invoice claimed twice"},
    {"EARLY_CLAIM", "投保后短期出险", "Claim soon after enrollment"},
    {"INCIDENT_BEFORE_COVERAGE", "保障开始前出险", "Incident before coverage"},
    {"PERSON_NOT_INSURED", "非被保险人申请理赔", "Claim for a person not insured"},
    {"AMOUNT_UNUSUAL", "金额异常", "Unusual amount"},
    {"ALREADY_INSURED_ELSEWHERE", "重复参保", "Insured in another household"},
    {"DECLINED", "拒赔案件", "Declined claims"}, /* the first row of the declines and fraud trend */
};

static const label indicators[] = {
    {"loss_ratio", "赔付率", "Loss ratio"},
    {"decline_rate", "拒赔率", "Decline rate"},
    {"settlement_days", "平均结案天数", "Mean settlement time"},
    {"subsidy_gap", "补贴未到位", "Subsidy gap"},
    {"low_claim_frequency", "出险率异常偏低（每千人案件数）",
     "Claim frequency suspiciously low (per 1,000 insured)"},
    {"loss_ratio_vs_expected", "全市赔付率偏离方案预期", "City loss ratio far from the plan's expected"},
};

static const label measures[] = {
    {"percent", "百分比（%）", "Percent (%)"},
    {"permille", "千分比（每千名参保人，‰）", "Per mille (per 1,000 insured, ‰)"},
    {"days", "天数", "Days"},
    {"yuan", "金额（元）", "Amount (yuan)"},
};

const char *report_measure_unit(report_measure m, report_lang lang)
{
    static const char *const units[][3] = {
        [REPORT_MEASURE_PERCENT] = {"%", "%", "%"},
        [REPORT_MEASURE_PERMILLE] = {"‰", "‰", "‰"},
        [REPORT_MEASURE_DAYS] = {" days", "天", " 天 days"},
        [REPORT_MEASURE_YUAN] = {" yuan", "元", " 元 yuan"},
    };
    if ((unsigned)m >= sizeof units / sizeof units[0] || (unsigned)lang > REPORT_LANG_BOTH)
        return "";
    return units[m][lang];
}

static const char *find(const label *list, size_t n, const char *code, bool chinese)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].code, code) == 0)
            return chinese ? list[i].zh : list[i].en;
    return NULL;
}

#define FIND(list) find(list, sizeof list / sizeof list[0], code, chinese)

const char *report_label(report_code_kind kind, const char *code, bool chinese)
{
    if (code == NULL)
        return NULL;
    switch (kind) {
    case REPORT_CODE_LIABILITY: return FIND(liabilities);
    case REPORT_CODE_ROLE: return FIND(roles);
    case REPORT_CODE_CATEGORY: return FIND(categories);
    case REPORT_CODE_SIGNAL: return FIND(signals);
    case REPORT_CODE_INDICATOR: return FIND(indicators);
    case REPORT_CODE_MEASURE: return FIND(measures);
    case REPORT_CODE_REASON: {
        fm_reason r;
        if (!fm_reason_parse(code, &r))
            return NULL;
        return chinese ? fm_reason_label_zh(r) : fm_reason_label_en(r);
    }
    }
    return NULL;
}
