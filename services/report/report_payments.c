/* report_payments.c — the report's withdrawals and payments tables (issue 15): their columns, queries and
 * totals, hooked into report_load. */
#include "report_payments.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define WHERE_YEAR_UNIT " WHERE plan_year = $1::integer AND ($2::text IS NULL OR managing_unit = $2::text) "

static const report_column withdrawal_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"withdrawn", "撤回案件", "Withdrawn", REPORT_COUNT, 0},
    {"refused", "撤回被拒", "Withdrawals refused", REPORT_COUNT, 0},
    {"released", "释放额度", "Usage released", REPORT_FEN, 0},
};

static const report_column payment_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"paid", "已支付笔数", "Payments made", REPORT_COUNT, 0},
    {"paid_amount", "已支付金额", "Paid out", REPORT_FEN, 0},
    {"failed", "支付失败", "Failed", REPORT_COUNT, 0},
    {"cancelled", "已撤销", "Cancelled", REPORT_COUNT, 0},
    {"outstanding", "待支付笔数", "Outstanding", REPORT_COUNT, 0},
    {"outstanding_amount", "待支付金额", "Outstanding amount", REPORT_FEN, 0},
    {"median_days_to_payment", "支付天数中位数", "Median days to payment", REPORT_COUNT, 0},
    {"max_days_to_payment", "最长支付天数", "Longest days to payment", REPORT_COUNT, 0},
};

const char report_sql_withdrawals[] =
    "SELECT managing_unit, withdrawn, refused, released"
    " FROM famins_report.claim_withdrawals_by_unit" WHERE_YEAR_UNIT "ORDER BY managing_unit";

const char report_sql_payments[] =
    "SELECT managing_unit, paid, paid_amount, failed, cancelled, outstanding, outstanding_amount,"
    " median_days_to_payment, max_days_to_payment"
    " FROM famins_report.claim_payments_by_unit" WHERE_YEAR_UNIT "ORDER BY managing_unit";

void report_payments_init(report_table *withdrawals, report_table *payments)
{
    report_table_init(withdrawals, "withdrawals", "撤回理赔申请", "Withdrawn claims", withdrawal_cols,
                      N(withdrawal_cols));
    withdrawals->note_zh =
        "家庭撤回的理赔申请：未支付的案件撤回后不再支付，已占用的保险金额释放；已支付的案件不能撤回。";
    withdrawals->note_en =
        "Claims withdrawn by the family: nothing is paid, the benefit used is released; a paid "
        "claim cannot be withdrawn (refused).";
    report_table_init(payments, "payments", "保险金支付", "Payments", payment_cols, N(payment_cols));
    payments->note_zh = "按支付指令统计；支付天数 = 收到理赔申请之日（事件时间，北京时间）至银行支付日。";
    payments->note_en = "By payment instruction; days to payment = from the claim's receipt (its event time, "
                        "Asia/Shanghai) to the bank's paid date.";
}

void report_payments_finish(report_table *payments)
{
    if (payments->total == NULL)
        return;
    payments->total[7] = (report_cell){.null = true};
    payments->total[8] = (report_cell){.null = true};
    for (size_t r = 0; r < payments->nrows; r++) {
        const report_cell *c = report_table_cell(payments, r, 8);
        if (!c->null && (payments->total[8].null || c->num > payments->total[8].num))
            payments->total[8] = (report_cell){.num = c->num};
    }
}
