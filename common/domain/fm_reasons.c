/* fm_reasons.c — the catalogue of reason codes: stable ids and their English and Chinese labels. */
#include "fm_reasons.h"

#include <string.h>

typedef struct reason_entry {
    fm_reason reason;
    const char *id;
    const char *en;
    const char *zh;
} reason_entry;

/* Indexed by fm_reason; the reason field lets a static check catch a misplaced line. */
static const reason_entry reasons[FM_REASON_COUNT] = {
    {FM_REASON_NONE, "NONE", "No reason", "无"},
    {FM_REASON_NO_CONSENT, "NO_CONSENT", "The household did not consent", "投保人未同意投保"},
    {FM_REASON_PLAN_YEAR_NOT_OFFERED, "PLAN_YEAR_NOT_OFFERED", "The plan year is not offered",
     "该保险年度未开办"},
    {FM_REASON_UNKNOWN_MANAGING_UNIT, "UNKNOWN_MANAGING_UNIT", "Unknown managing unit", "管理单位不存在"},
    {FM_REASON_OUTSIDE_ENROLLMENT_WINDOW, "OUTSIDE_ENROLLMENT_WINDOW",
     "Submitted outside the enrollment window", "不在参保登记期内"},
    {FM_REASON_INVALID_ID_NUMBER, "INVALID_ID_NUMBER", "Invalid identity number", "身份证号码无效"},
    {FM_REASON_DUPLICATE_MEMBER, "DUPLICATE_MEMBER", "The same person is listed twice", "被保险人重复"},
    {FM_REASON_ALREADY_ENROLLED, "ALREADY_ENROLLED", "The household is already enrolled for this plan year",
     "该家庭本年度已参保"},
    {FM_REASON_NOT_REGISTERED_OR_RESIDENT, "NOT_REGISTERED_OR_RESIDENT",
     "No Xi'an household registration or qualifying residence", "无西安市户籍且不满足居住条件"},
    {FM_REASON_NO_ELIGIBLE_CHILD, "NO_ELIGIBLE_CHILD", "No eligible child aged 18 or under",
     "无符合条件的18周岁以下（含）子女"},
    {FM_REASON_TOO_MANY_CHILDREN, "TOO_MANY_CHILDREN", "More children than the plan covers",
     "子女人数超过保险方案上限"},
    {FM_REASON_CHILD_OVER_AGE, "CHILD_OVER_AGE", "Child over the age limit", "子女超过年龄上限"},
    {FM_REASON_ALREADY_INSURED_ELSEWHERE, "ALREADY_INSURED_ELSEWHERE",
     "Already insured in another household this plan year", "本年度已在其他家庭参保"},
    {FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT, "CATEGORY_A_EVIDENCE_INCONSISTENT",
     "Category A evidence does not hold; enrolled as category B",
     "独生子女或农村双女户证明不符，按一孩、两孩、三孩家庭参保"},
    {FM_REASON_POLICY_NOT_FOUND, "POLICY_NOT_FOUND", "Policy not found", "保单不存在"},
    {FM_REASON_PERSON_NOT_INSURED, "PERSON_NOT_INSURED", "The person is not insured under this policy",
     "出险人不是本保单的被保险人"},
    {FM_REASON_PERSON_DECEASED, "PERSON_DECEASED", "A death benefit was already paid for this person",
     "该被保险人身故保险金已给付"},
    {FM_REASON_NOT_IN_FORCE, "NOT_IN_FORCE", "The incident is outside the coverage period",
     "出险日期不在保险期间内"},
    {FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE, "LIABILITY_NOT_COVERED_FOR_ROLE",
     "This benefit does not cover parents or guardians", "父母或监护人不承担此项保险责任"},
    {FM_REASON_CAUSE_MISMATCH, "CAUSE_MISMATCH", "The cause does not match the benefit claimed",
     "出险原因与申请的保险责任不符"},
    {FM_REASON_WAITING_PERIOD, "WAITING_PERIOD", "The illness began within the waiting period",
     "疾病发生在等待期内"},
    {FM_REASON_ACCIDENT_WINDOW_EXCEEDED, "ACCIDENT_WINDOW_EXCEEDED",
     "Death or disability more than 180 days after the accident",
     "身故或伤残发生在意外伤害发生之日起180日以后"},
    {FM_REASON_INVALID_GRADE, "INVALID_GRADE", "Disability grade outside 1 to 10",
     "伤残等级不在1至10级范围内"},
    {FM_REASON_CI_NOT_COVERED, "CI_NOT_COVERED", "The critical illness is not covered by the plan",
     "所患疾病不在保障的重大疾病范围内"},
    {FM_REASON_CI_ALREADY_PAID, "CI_ALREADY_PAID", "The critical illness benefit was already paid",
     "重大疾病保险金已给付"},
    {FM_REASON_DUPLICATE_INVOICE, "DUPLICATE_INVOICE", "Invoice already claimed", "发票已报销过"},
    {FM_REASON_NO_ELIGIBLE_AMOUNT, "NO_ELIGIBLE_AMOUNT", "Other payers covered the bills in full",
     "费用已由社保或其他保险全额支付"},
    {FM_REASON_BELOW_DEDUCTIBLE, "BELOW_DEDUCTIBLE", "The expenses do not exceed the deductible",
     "费用未超过免赔额"},
    {FM_REASON_LIMIT_EXHAUSTED, "LIMIT_EXHAUSTED", "The benefit limit is used up", "保险金额已用完"},
    {FM_REASON_LIMIT_REACHED, "LIMIT_REACHED", "Paid up to the remaining benefit limit",
     "按剩余保险金额给付"},
    {FM_REASON_DOCUMENTS_MISSING, "DOCUMENTS_MISSING", "Required documents are missing", "理赔材料不全"},
    {FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD, "AMOUNT_ABOVE_REVIEW_THRESHOLD",
     "The amount needs a reviewer's approval", "赔付金额超过审核限额，需人工审核"},
    {FM_REASON_REVIEWER_DECLINED, "REVIEWER_DECLINED", "Declined by the reviewer", "经审核拒赔"},
    {FM_REASON_REVIEWER_REDUCED, "REVIEWER_REDUCED", "The reviewer approved a lower amount",
     "经审核核减赔付金额"},
    /* claim-rules (issue 15) */
    {FM_REASON_REPORT_AFTER_RECEIPT, "REPORT_AFTER_RECEIPT",
     "The report date is after the date the claim was received", "报案日期晚于理赔申请受理日期"},
    /* claim-life */
    {FM_REASON_DOCUMENTS_NOT_PENDING, "DOCUMENTS_NOT_PENDING",
     "The claim is not waiting for documents; the documents were recorded",
     "该理赔案件不在等待补充材料状态，材料已登记"},
    {FM_REASON_APPEAL_CLAIM_NOT_DECIDED, "APPEAL_CLAIM_NOT_DECIDED",
     "The claim is not decided; there is no decision to appeal", "理赔案件尚未作出决定，不能申诉"},
    {FM_REASON_APPEAL_NOT_ADVERSE, "APPEAL_NOT_ADVERSE",
     "The claim was approved in full; there is nothing to appeal", "理赔已按全额核定，无可申诉事项"},
    {FM_REASON_APPEAL_OF_APPEAL_OUTCOME, "APPEAL_OF_APPEAL_OUTCOME",
     "The decision is the outcome of an appeal and cannot be appealed again",
     "该决定为申诉复核结果，不能再次申诉"},
    {FM_REASON_APPEAL_ALREADY_OPEN, "APPEAL_ALREADY_OPEN",
     "An appeal of the claim is already waiting for review", "该理赔案件已有申诉正在复核"},
    {FM_REASON_APPEAL_NOT_OPEN, "APPEAL_NOT_OPEN", "No appeal of the claim is waiting for review",
     "该理赔案件没有待复核的申诉"},
    {FM_REASON_APPEAL_UPHELD, "APPEAL_UPHELD", "The decision was upheld on appeal", "经申诉复核，维持原决定"},
    {FM_REASON_APPEAL_OVERTURNED, "APPEAL_OVERTURNED", "The decision was changed on appeal",
     "经申诉复核，改变原决定"},
    /* claim-pay (issue 15): withdrawals, payment results, payee corrections. */
    {FM_REASON_CLAIM_UNKNOWN, "CLAIM_UNKNOWN", "No claim with this claim id is recorded", "未找到该理赔案件"},
    {FM_REASON_CLAIM_POLICY_MISMATCH, "CLAIM_POLICY_MISMATCH", "The claim belongs to another policy",
     "该理赔案件不属于所述保单"},
    {FM_REASON_WITHDRAWAL_DUPLICATE, "WITHDRAWAL_DUPLICATE", "The claim was already withdrawn",
     "该理赔申请已撤回"},
    {FM_REASON_WITHDRAWAL_NOT_APPLICABLE, "WITHDRAWAL_NOT_APPLICABLE",
     "A declined claim has nothing to withdraw", "已拒赔的案件无需撤回"},
    {FM_REASON_WITHDRAWAL_AFTER_PAYMENT, "WITHDRAWAL_AFTER_PAYMENT",
     "The claim was already paid and cannot be withdrawn", "保险金已支付，不能撤回理赔申请"},
    {FM_REASON_PAYMENT_UNKNOWN_INSTRUCTION, "PAYMENT_UNKNOWN_INSTRUCTION",
     "No payment instruction with this id was given", "未找到该支付指令"},
    {FM_REASON_PAYMENT_CLAIM_MISMATCH, "PAYMENT_CLAIM_MISMATCH",
     "The payment instruction belongs to another claim", "该支付指令不属于所述理赔案件"},
    {FM_REASON_PAYMENT_DUPLICATE_RESULT, "PAYMENT_DUPLICATE_RESULT",
     "The result of this payment was already recorded", "该支付结果已记录"},
    {FM_REASON_PAYMENT_ALREADY_PAID, "PAYMENT_ALREADY_PAID", "The payment was already recorded as paid",
     "该笔款项已记录为支付成功"},
    {FM_REASON_PAYMENT_ALREADY_FAILED, "PAYMENT_ALREADY_FAILED", "The payment was already recorded as failed",
     "该笔款项已记录为支付失败"},
    {FM_REASON_PAYMENT_INSTRUCTION_CANCELLED, "PAYMENT_INSTRUCTION_CANCELLED",
     "The payment instruction was cancelled", "该支付指令已撤销"},
    {FM_REASON_PAYEE_CLAIM_NOT_PAYABLE, "PAYEE_CLAIM_NOT_PAYABLE",
     "The claim is declined or withdrawn: nothing to pay", "案件已拒赔或已撤回，无需支付"},
    {FM_REASON_PAYEE_KIND_MISMATCH, "PAYEE_KIND_MISMATCH",
     "The payee does not fit the benefit (beneficiaries for a death)",
     "领款人类型与保险责任不符（身故保险金由受益人领取）"},
    {FM_REASON_PAYEE_SHARES_CHANGED, "PAYEE_SHARES_CHANGED",
     "A correction cannot change the recipients or their shares after payment started",
     "支付开始后更正不能变更领款人或份额"},
    {FM_REASON_PAYMENT_TOO_MANY_ATTEMPTS, "PAYMENT_TOO_MANY_ATTEMPTS",
     "Too many payment instructions for this claim", "该案件支付指令过多"},
    {FM_REASON_CLAIM_WITHDRAWN, "CLAIM_WITHDRAWN", "The claim was withdrawn by the family",
     "理赔申请已由家庭撤回"},
    /* policy: changes after enrollment (issue 16) */
    {FM_REASON_POLICY_CANCELLED, "POLICY_CANCELLED", "The policy was cancelled", "保单已退保"},
    {FM_REASON_CHANGE_OUTSIDE_COVERAGE, "CHANGE_OUTSIDE_COVERAGE",
     "The change falls outside the policy's period of cover", "变更日期不在保险期间内"},
    {FM_REASON_REFUND_EXCEEDS_PAID, "REFUND_EXCEEDS_PAID", "The refund exceeds the premium paid",
     "退费金额超过已缴保费"},
    {FM_REASON_CATEGORY_A_EVIDENCE_LOST, "CATEGORY_A_EVIDENCE_LOST",
     "No longer an only-child or rural two-daughter household: category B from the change on",
     "不再符合独生子女或农村双女户条件，自变更次日起按一孩、两孩、三孩家庭承保"},
    {FM_REASON_REFUND_WITHHELD_CLAIM_PAID, "REFUND_WITHHELD_CLAIM_PAID",
     "A claim was paid: no premium is refunded on cancellation", "保单已发生赔付，退保不退还保费"},
    {FM_REASON_PREMIUM_PAID_AFTER_GRACE, "PREMIUM_PAID_AFTER_GRACE",
     "Premium paid after the grace date: the policy stays lapsed", "保费于宽限期后缴纳，保单效力不恢复"},
};

_Static_assert(sizeof reasons / sizeof reasons[0] == FM_REASON_COUNT, "one entry per reason");

static const reason_entry *entry(fm_reason r)
{
    if ((int)r < 0 || r >= FM_REASON_COUNT || reasons[r].reason != r)
        return NULL;
    return &reasons[r];
}

const char *fm_reason_id(fm_reason r)
{
    const reason_entry *e = entry(r);
    return e ? e->id : "?";
}

const char *fm_reason_label_en(fm_reason r)
{
    const reason_entry *e = entry(r);
    return e ? e->en : "?";
}

const char *fm_reason_label_zh(fm_reason r)
{
    const reason_entry *e = entry(r);
    return e ? e->zh : "?";
}

bool fm_reason_parse(const char *id, fm_reason *out)
{
    if (id == NULL)
        return false;
    for (int i = 1; i < FM_REASON_COUNT; i++) {
        if (strcmp(reasons[i].id, id) == 0) {
            *out = (fm_reason)i;
            return true;
        }
    }
    return false;
}
