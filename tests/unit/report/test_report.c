/* test_report.c — the report's pure parts: money and ratio formatting, escaping, the "problems found" rule,
 * table totals and the writers on an in-memory report. */
#include <stdlib.h>
#include <string.h>

#include "fm_test.h"
#include "report.h"
#include "report_format.h"
#include "report_labels.h"
#include "report_narrative.h"
#include "report_problems.h"
#include "report_render.h"

static void fen_become_yuan_with_two_decimals_by_integers(void **state)
{
    (void)state;
    char out[REPORT_NUM_LEN];
    report_fen_to_yuan(0, false, out);
    assert_string_equal(out, "0.00");
    report_fen_to_yuan(5, false, out);
    assert_string_equal(out, "0.05");
    report_fen_to_yuan(16500, false, out);
    assert_string_equal(out, "165.00");
    report_fen_to_yuan(-4001, false, out);
    assert_string_equal(out, "-40.01");
    report_fen_to_yuan(123456789012, true, out);
    assert_string_equal(out, "1,234,567,890.12");
    report_fen_to_yuan(100000, true, out);
    assert_string_equal(out, "1,000.00");
    report_fen_to_yuan(INT64_MIN, false, out);
    assert_string_equal(out, "-92233720368547758.08");
    report_fen_to_yuan(INT64_MAX, true, out);
    assert_string_equal(out, "92,233,720,368,547,758.07");
    report_count_text(1234567, true, out);
    assert_string_equal(out, "1,234,567");
    report_count_text(999, true, out);
    assert_string_equal(out, "999");
}

static void ratios_are_basis_points_rounded_half_up(void **state)
{
    (void)state;
    int64_t bp = -1;
    assert_true(report_ratio_bp(1, 3, &bp));
    assert_i64_equal(bp, 3333);
    assert_true(report_ratio_bp(2, 3, &bp));
    assert_i64_equal(bp, 6667);
    assert_true(report_ratio_bp(1, 20000, &bp)); /* 0.5 bp rounds up */
    assert_i64_equal(bp, 1);
    assert_true(report_ratio_bp(0, 5, &bp));
    assert_i64_equal(bp, 0);
    /* City-wide fen sums: numerator * 10000 does not fit in 64 bits, the ratio still comes out right. */
    assert_true(report_ratio_bp(INT64_MAX / 100, INT64_MAX / 100, &bp));
    assert_i64_equal(bp, 10000);
    bp = 77;
    assert_false(report_ratio_bp(5, 0, &bp));
    assert_false(report_ratio_bp(-1, 5, &bp));
    assert_i64_equal(bp, 77);
    char out[REPORT_NUM_LEN];
    report_bp_to_percent(8050, out);
    assert_string_equal(out, "80.50%");
    report_bp_to_percent(5, out);
    assert_string_equal(out, "0.05%");
    report_tenths_text(177, out);
    assert_string_equal(out, "17.7");
    report_tenths_text(10, out);
    assert_string_equal(out, "1.0");
}

static void decimals_parse_exactly_or_not_at_all(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(report_parse_scaled("12.5", 1, &v));
    assert_i64_equal(v, 125);
    assert_true(report_parse_scaled("12", 1, &v));
    assert_i64_equal(v, 120);
    assert_true(report_parse_scaled("-3", 0, &v));
    assert_i64_equal(v, -3);
    assert_true(report_parse_scaled("9223372036854775807", 0, &v));
    assert_i64_equal(v, INT64_MAX);
    assert_false(report_parse_scaled("12.55", 1, &v));
    assert_false(report_parse_scaled("1x", 0, &v));
    assert_false(report_parse_scaled("", 0, &v));
    assert_false(report_parse_scaled("99999999999999999999", 0, &v));
    assert_false(report_parse_scaled("1.2.3", 2, &v));
}

/* Captures what a writer prints. */
typedef struct capture {
    char *text;
    size_t len;
    FILE *f;
} capture;

static void capture_open(capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    assert_non_null(c->f);
}

static const char *capture_close(capture *c)
{
    fclose(c->f);
    return c->text;
}

static void csv_and_html_escape_what_they_must(void **state)
{
    (void)state;
    capture c;
    capture_open(&c);
    report_csv_field(c.f, "plain");
    fputc('|', c.f);
    report_csv_field(c.f, "a,b");
    fputc('|', c.f);
    report_csv_field(c.f, "say \"hi\"");
    fputc('|', c.f);
    report_csv_field(c.f, "two\nlines");
    assert_string_equal(capture_close(&c), "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"");
    free(c.text);
    capture_open(&c);
    report_html_escape(c.f, "<b a=\"x\">Xi'an & co</b>");
    assert_string_equal(capture_close(&c), "&lt;b a=&quot;x&quot;&gt;Xi&#39;an &amp; co&lt;/b&gt;");
    free(c.text);
    capture_open(&c);
    report_md_cell(c.f, "a|b\nc");
    assert_string_equal(capture_close(&c), "a\\|b c");
    free(c.text);
}

static report_unit_stats unit(const char *code, int64_t premium, int64_t paid, int64_t decided,
                              int64_t declined, int64_t mean_tenths, int64_t gap)
{
    report_unit_stats u = {.premium = premium,
                           .paid = paid,
                           .decided = decided,
                           .declined = declined,
                           .settled = decided,
                           .mean_tenths = mean_tenths,
                           .has_mean = decided > 0,
                           .subsidy_gap = gap};
    snprintf(u.unit, sizeof u.unit, "%s", code);
    return u;
}

static void units_far_above_the_city_are_named_and_small_ones_are_not(void **state)
{
    (void)state;
    /* City: loss 50 %, decline rate 10 %, mean 10.0 days. */
    report_unit_stats units[] = {
        unit("NORMAL", 1000, 500, 10, 1, 100, 0),
        unit("HIGHLOSS", 1000, 760, 10, 1, 100, 0), /* 76 % > 75 % */
        unit("EDGELOSS", 1000, 750, 10, 1, 100, 0), /* exactly 1.5 x: not "more than" */
        unit("DECLINES", 1000, 500, 10, 2, 100, 0), /* 20 % > 15 % */
        unit("SLOW", 1000, 500, 10, 1, 151, 0),     /* 15.1 days > 15.0 */
        unit("SMALL", 100, 400, 4, 4, 400, 0),      /* far off on everything but only 4 decided claims */
        unit("GAP", 0, 0, 0, 0, 0, 3200),           /* a subsidy gap counts whatever the size */
    };
    report_unit_stats city = {.premium = 10000,
                              .paid = 5000,
                              .decided = 100,
                              .declined = 10,
                              .settled = 100,
                              .mean_tenths = 100,
                              .has_mean = true,
                              .subsidy_gap = 3200};
    report_rule rule = REPORT_RULE_DEFAULT;
    report_problem *p = NULL;
    size_t n = 0;
    assert_int_equal(report_find_problems(units, sizeof units / sizeof units[0], &city, &rule, &p, &n),
                     FM_OK);
    assert_int_equal(n, 4);
    assert_string_equal(p[0].unit, "HIGHLOSS");
    assert_int_equal(p[0].indicator, REPORT_IND_LOSS_RATIO);
    assert_i64_equal(p[0].unit_value, 7600);
    assert_i64_equal(p[0].city_value, 5000);
    assert_string_equal(p[1].unit, "DECLINES");
    assert_int_equal(p[1].indicator, REPORT_IND_DECLINE_RATE);
    assert_i64_equal(p[1].unit_value, 2000);
    assert_string_equal(p[2].unit, "SLOW");
    assert_int_equal(p[2].indicator, REPORT_IND_SETTLEMENT);
    assert_i64_equal(p[2].unit_value, 151);
    assert_string_equal(p[3].unit, "GAP");
    assert_int_equal(p[3].indicator, REPORT_IND_SUBSIDY_GAP);
    assert_i64_equal(p[3].unit_value, 3200);
    free(p);

    /* A looser minimum lets SMALL in on all three. */
    rule.min_claims = 4;
    assert_int_equal(report_find_problems(units, sizeof units / sizeof units[0], &city, &rule, &p, &n),
                     FM_OK);
    size_t small = 0;
    for (size_t i = 0; i < n; i++)
        small += strcmp(p[i].unit, "SMALL") == 0;
    assert_int_equal(small, 3);
    free(p);
}

static void a_suspiciously_low_claim_frequency_is_named(void **state)
{
    (void)state;
    /* City: 40 claims per 1,000 insured (200 of 5000). Low: below 40 / 1.5 = 26.67 per mille, with >= 100
     * insured. */
    report_unit_stats units[] = {
        unit("NORMAL", 1000, 500, 10, 1, 100, 0), unit("LOW", 1000, 500, 10, 1, 100, 0),
        unit("EDGE", 1000, 500, 10, 1, 100, 0),   unit("FEWINSURED", 1000, 500, 10, 1, 100, 0),
        unit("NOCLAIMS", 1000, 0, 0, 0, 0, 0),    unit("NOINSURED", 0, 0, 0, 0, 0, 0),
    };
    int64_t insured[] = {2000, 1000, 1500, 99, 400, 0}, claims[] = {80, 26, 40, 0, 0, 3};
    for (size_t i = 0; i < 6; i++) {
        units[i].insured = insured[i];
        units[i].claims = claims[i];
    }
    report_unit_stats city = {.premium = 10000,
                              .paid = 5000,
                              .decided = 100,
                              .declined = 10,
                              .settled = 100,
                              .mean_tenths = 100,
                              .has_mean = true,
                              .insured = 5000,
                              .claims = 200};
    report_rule rule = REPORT_RULE_DEFAULT;
    report_problem *p = NULL;
    size_t n = 0;
    assert_int_equal(report_find_problems(units, 6, &city, &rule, &p, &n), FM_OK);
    /* LOW (26.0 < 26.67) and NOCLAIMS (0 with 400 insured); EDGE is 26.67 exactly (not below); FEWINSURED has
     * 99 insured; NOINSURED has no frequency at all. */
    assert_int_equal(n, 2);
    assert_string_equal(p[0].unit, "LOW");
    assert_int_equal(p[0].indicator, REPORT_IND_LOW_FREQUENCY);
    assert_i64_equal(p[0].unit_value, 260);
    assert_i64_equal(p[0].city_value, 400);
    assert_string_equal(p[1].unit, "NOCLAIMS");
    assert_i64_equal(p[1].unit_value, 0);
    assert_string_equal(report_indicator_code(p[0].indicator), "low_claim_frequency");
    free(p);
    /* A city without claims has nothing to be below. */
    city.claims = 0;
    assert_int_equal(report_find_problems(units, 6, &city, &rule, &p, &n), FM_OK);
    assert_int_equal(n, 0);
    free(p);
}

static void a_city_loss_ratio_far_from_the_plan_is_named(void **state)
{
    (void)state;
    report_rule rule = REPORT_RULE_DEFAULT;
    rule.expected_loss_bp = 7000; /* far: above 105 % or below 46.67 % */
    report_unit_stats city = {.premium = 10000, .decided = 10};
    const struct {
        int64_t paid;
        size_t named;
    } cases[] = {{10600, 1}, {10500, 0}, {7000, 0}, {4667, 0}, {4666, 1}, {0, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        report_problem *p = NULL;
        size_t n = 0;
        city.paid = cases[i].paid;
        assert_int_equal(report_find_problems(NULL, 0, &city, &rule, &p, &n), FM_OK);
        assert_int_equal(n, cases[i].named);
        if (n == 1) {
            assert_string_equal(p[0].unit, REPORT_CITY_CODE);
            assert_int_equal(p[0].indicator, REPORT_IND_EXPECTED_LOSS);
            assert_i64_equal(p[0].city_value, 7000);
            assert_string_equal(report_indicator_code(p[0].indicator), "loss_ratio_vs_expected");
        }
        free(p);
    }
    /* Too few decided claims, no premium, or no expected ratio: not compared. */
    const report_unit_stats few = {.premium = 10000, .paid = 20000, .decided = 4};
    const report_unit_stats no_premium = {.premium = 0, .paid = 20000, .decided = 10};
    const report_unit_stats *quiet[] = {&few, &no_premium};
    for (size_t i = 0; i < 2; i++) {
        report_problem *p = NULL;
        size_t n = 9;
        assert_int_equal(report_find_problems(NULL, 0, quiet[i], &rule, &p, &n), FM_OK);
        assert_int_equal(n, 0);
    }
    rule.expected_loss_bp = 0;
    city.paid = 20000;
    report_problem *p = NULL;
    size_t n = 9;
    assert_int_equal(report_find_problems(NULL, 0, &city, &rule, &p, &n), FM_OK);
    assert_int_equal(n, 0);
}

static void an_empty_city_has_no_problems(void **state)
{
    (void)state;
    report_unit_stats city = {0};
    report_rule rule = REPORT_RULE_DEFAULT;
    report_problem *p = (report_problem *)1;
    size_t n = 99;
    assert_int_equal(report_find_problems(NULL, 0, &city, &rule, &p, &n), FM_OK);
    assert_int_equal(n, 0);
    assert_null(p);
}

static void the_rule_is_printed_with_its_numbers(void **state)
{
    (void)state;
    char text[1024];
    report_rule rule = {.factor_pct = 150, .min_claims = 5};
    report_rule_text(&rule, 1, text, sizeof text);
    assert_non_null(strstr(text, "不少于5件"));
    assert_non_null(strstr(text, "1.5倍"));
    report_rule_text(&rule, 0, text, sizeof text);
    assert_non_null(strstr(text, "at least 5 decided claims"));
    assert_non_null(strstr(text, "more than 1.5 times"));
    rule.factor_pct = 200;
    report_rule_text(&rule, 0, text, sizeof text);
    assert_non_null(strstr(text, "more than 2 times"));
}

static void labels_exist_in_both_languages(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        assert_non_null(report_label(REPORT_CODE_LIABILITY, report_liability_codes[i], true));
        assert_non_null(report_label(REPORT_CODE_LIABILITY, report_liability_codes[i], false));
    }
    assert_string_equal(report_label(REPORT_CODE_LIABILITY, "critical_illness", true), "重大疾病");
    assert_non_null(report_label(REPORT_CODE_REASON, "POLICY_NOT_FOUND", false));
    assert_non_null(report_label(REPORT_CODE_REASON, "LIABILITY_NOT_COVERED_FOR_ROLE", true));
    assert_null(report_label(REPORT_CODE_REASON, "NO_SUCH_REASON", true));
    assert_null(report_label(REPORT_CODE_SIGNAL, "NO_SUCH_SIGNAL", false));
    assert_non_null(report_label(REPORT_CODE_SIGNAL, "DUPLICATE_INVOICE", true));
}

static const report_column test_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},
    {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
    {"loss_ratio", "赔付率", "Loss ratio", REPORT_BP, 0},
};

static void add(report_table *t, const char *unit_code, int64_t claims, int64_t paid)
{
    report_cell *row;
    assert_int_equal(report_table_add_row(t, &row), FM_OK);
    assert_int_equal(report_cell_set_text(&row[0], unit_code), FM_OK);
    row[1].num = claims;
    row[2].num = paid;
    row[3].null = true;
}

static void totals_sum_counts_and_money_only(void **state)
{
    (void)state;
    report_table t;
    report_table_init(&t, "t", "表", "Table", test_cols, 4);
    for (int i = 0; i < 40; i++) /* grows past the first allocation */
        add(&t, "610113", 1, 150);
    assert_int_equal(report_table_sum_total(&t), FM_OK);
    assert_i64_equal(t.total[1].num, 40);
    assert_i64_equal(t.total[2].num, 6000);
    assert_true(t.total[3].null);
    assert_int_equal(report_table_col(&t, "paid"), 2);
    assert_int_equal(report_table_col(&t, "nothing"), -1);
    report_table_free(&t);
}

static void csv_writes_yuan_labels_and_escapes(void **state)
{
    (void)state;
    report rep;
    memset(&rep, 0, sizeof rep);
    report_unit_name names[] = {{"610113", "雁塔区", "Yanta District"}};
    rep.names = names;
    rep.n_names = 1;
    report_table t;
    report_table_init(&t, "t", "表", "Table", test_cols, 4);
    add(&t, "610113", 2, 123456);
    add(&t, "X,1", 0, 5);
    capture c;
    capture_open(&c);
    assert_int_equal(report_write_csv_table(c.f, &rep, &t), FM_OK);
    assert_string_equal(capture_close(&c),
                        "unit,unit_name_zh,unit_name_en,claims,paid_yuan,loss_ratio_pct\r\n"
                        "610113,雁塔区,Yanta District,2,1234.56,\r\n"
                        "\"X,1\",,,0,0.05,\r\n");
    free(c.text);
    report_table_free(&t);
}

static void measures_write_bare_numbers_and_their_units_apart(void **state)
{
    (void)state;
    char out[REPORT_NUM_LEN];
    report_measure_number(REPORT_MEASURE_PERCENT, 1234, true, out);
    assert_string_equal(out, "12.34");
    report_measure_number(REPORT_MEASURE_PERCENT, -5, false, out);
    assert_string_equal(out, "-0.05");
    report_measure_number(REPORT_MEASURE_PERMILLE, 271, false, out);
    assert_string_equal(out, "27.1");
    report_measure_number(REPORT_MEASURE_DAYS, 35, false, out);
    assert_string_equal(out, "3.5");
    report_measure_number(REPORT_MEASURE_YUAN, 123400, false, out);
    assert_string_equal(out, "1234.00");
    report_measure_number(REPORT_MEASURE_YUAN, 123400, true, out);
    assert_string_equal(out, "1,234.00");
    report_measure m = REPORT_MEASURE_YUAN;
    const char *codes[] = {"percent", "permille", "days", "yuan"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(report_measure_code((report_measure)i), codes[i]);
        assert_true(report_measure_parse(codes[i], &m));
        assert_int_equal(m, i);
        assert_non_null(report_label(REPORT_CODE_MEASURE, codes[i], true));
        assert_non_null(report_label(REPORT_CODE_MEASURE, codes[i], false));
    }
    assert_false(report_measure_parse("percent ", &m));
    assert_false(report_measure_parse(NULL, &m));
    assert_int_equal(m, REPORT_MEASURE_YUAN);
    assert_i64_equal(report_measure_divisor(REPORT_MEASURE_PERCENT), 100);
    assert_i64_equal(report_measure_divisor(REPORT_MEASURE_DAYS), 10);
    assert_string_equal(report_measure_unit(REPORT_MEASURE_DAYS, REPORT_LANG_ZH), "天");
    assert_string_equal(report_measure_unit(REPORT_MEASURE_DAYS, REPORT_LANG_EN), " days");
    assert_string_equal(report_measure_unit(REPORT_MEASURE_YUAN, REPORT_LANG_BOTH), " 元 yuan");
    assert_string_equal(report_measure_unit(REPORT_MEASURE_PERMILLE, REPORT_LANG_EN), "‰");
    assert_int_equal(report_indicator_measure(REPORT_IND_LOSS_RATIO), REPORT_MEASURE_PERCENT);
    assert_int_equal(report_indicator_measure(REPORT_IND_DECLINE_RATE), REPORT_MEASURE_PERCENT);
    assert_int_equal(report_indicator_measure(REPORT_IND_EXPECTED_LOSS), REPORT_MEASURE_PERCENT);
    assert_int_equal(report_indicator_measure(REPORT_IND_SETTLEMENT), REPORT_MEASURE_DAYS);
    assert_int_equal(report_indicator_measure(REPORT_IND_SUBSIDY_GAP), REPORT_MEASURE_YUAN);
    assert_int_equal(report_indicator_measure(REPORT_IND_LOW_FREQUENCY), REPORT_MEASURE_PERMILLE);
}

static const report_column problem_test_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"indicator", "指标", "Indicator", REPORT_CODED, REPORT_CODE_INDICATOR},
    {"measure", "计量", "Measure", REPORT_CODED, REPORT_CODE_MEASURE},
    {"unit_value", "本单位", "Unit", REPORT_MEASURED, 0},
    {"city_value", "全市", "City", REPORT_MEASURED, 0},
};

static void add_problem(report_table *t, const char *unit, const char *indicator, const char *measure,
                        int64_t uv, int64_t cv)
{
    report_cell *row;
    assert_int_equal(report_table_add_row(t, &row), FM_OK);
    assert_int_equal(report_cell_set_text(&row[0], unit), FM_OK);
    assert_int_equal(report_cell_set_text(&row[1], indicator), FM_OK);
    for (int c = 2; c < 5; c++)
        assert_int_equal(report_cell_set_text(&row[c], measure), FM_OK);
    row[3].num = uv;
    row[4].num = cv;
}

static void problems_are_bare_numbers_in_data_and_carry_units_for_people(void **state)
{
    (void)state;
    report rep;
    memset(&rep, 0, sizeof rep);
    rep.plan_year = 2026;
    rep.rule = REPORT_RULE_DEFAULT;
    report_unit_name names[] = {{"610102", "新城区", "Xincheng District"},
                                {"610122", "蓝田县", "Lantian County"}};
    rep.names = names;
    rep.n_names = 2;
    for (int i = 0; i < REPORT_T_COUNT; i++)
        report_table_init(&rep.tables[i], i == 0 ? "summary" : "other", "表", "Table", test_cols, 4);
    report_table *t = &rep.tables[REPORT_T_PROBLEMS];
    report_table_init(t, "problems", "存在突出问题", "Problems found", problem_test_cols, 5);
    add_problem(t, "610102", "loss_ratio", "percent", 15120, 8986);
    add_problem(t, "610102", "settlement_days", "days", 445, 120);
    add_problem(t, "610122", "subsidy_gap", "yuan", 123400, 123400);
    add_problem(t, "610122", "low_claim_frequency", "permille", 271, 401);
    add_problem(t, "CITY", "loss_ratio_vs_expected", "percent", 8986, 5000);
    capture c;
    capture_open(&c);
    assert_int_equal(report_write_csv_table(c.f, &rep, t), FM_OK);
    const char *csv = capture_close(&c);
    assert_non_null(strstr(csv, "unit,unit_name_zh,unit_name_en,indicator,indicator_zh,indicator_en,measure,"
                                "measure_zh,measure_en,unit_value,city_value\r\n"));
    assert_non_null(strstr(csv, ",percent,百分比（%）,Percent (%),151.20,89.86\r\n"));
    assert_non_null(strstr(csv, ",days,天数,Days,44.5,12.0\r\n"));
    assert_non_null(strstr(csv, ",yuan,金额（元）,Amount (yuan),1234.00,1234.00\r\n"));
    assert_non_null(strstr(csv, ",27.1,40.1\r\n"));
    assert_null(strstr(csv, "%,")); /* no unit in a value */
    free(c.text);
    char text[128];
    report_cell_human(&rep, &t->cols[3], report_table_cell(t, 2, 3), text, sizeof text);
    assert_string_equal(text, "1,234.00 元 yuan");
    report_cell_human(&rep, &t->cols[4], report_table_cell(t, 0, 4), text, sizeof text);
    assert_string_equal(text, "89.86%");
    report_cell_human(&rep, &t->cols[3], report_table_cell(t, 1, 3), text, sizeof text);
    assert_string_equal(text, "44.5 天 days");
    report_cell_human(&rep, &t->cols[3], report_table_cell(t, 3, 3), text, sizeof text);
    assert_string_equal(text, "27.1‰");
    char *zh = NULL, *en = NULL;
    assert_int_equal(report_narrative(&rep, true, &zh), FM_OK);
    assert_int_equal(report_narrative(&rep, false, &en), FM_OK);
    assert_non_null(strstr(zh, "新城区平均结案天数为44.5天（全市12.0天）"));
    assert_non_null(strstr(zh, "蓝田县补贴未到位为1,234.00元（全市1,234.00元）"));
    assert_non_null(strstr(zh, "全市赔付率89.86%，偏离方案预期赔付率50.00%"));
    assert_non_null(strstr(en, "Xincheng District: Mean settlement time 44.5 days (city 12.0 days)"));
    assert_non_null(strstr(en, "Lantian County: Claim frequency suspiciously low (per 1,000 insured) "
                               "27.1‰ (city 40.1‰)"));
    assert_non_null(strstr(en, "the city's loss ratio 89.86% is far from the plan's expected 50.00%."));
    free(zh);
    free(en);
    capture_open(&c);
    assert_int_equal(report_write_json(c.f, &rep), FM_OK);
    const char *json = capture_close(&c);
    assert_non_null(strstr(json, "\"measure\": \"percent\""));
    assert_non_null(strstr(json, "\"unit_value\": 151.2,"));
    assert_non_null(strstr(json, "\"city_value\": 12.0"));
    assert_non_null(strstr(json, "\"unit_value\": 1234.0,"));
    free(c.text);
    /* For people the unit is in the value, so the measure column is left out. */
    capture_open(&c);
    assert_int_equal(report_write_md(c.f, &rep), FM_OK);
    const char *md = capture_close(&c);
    assert_non_null(strstr(md, "| 指标 Indicator | 本单位 Unit | 全市 City |\n|---|---|---:|---:|\n"));
    assert_non_null(strstr(md, "| 赔付率 Loss ratio | 151.20% | 89.86% |"));
    assert_non_null(strstr(md, "| 44.5 天 days | 12.0 天 days |"));
    assert_null(strstr(md, "Percent (%)"));
    free(c.text);
    capture_open(&c);
    assert_int_equal(report_write_html(c.f, &rep), FM_OK);
    const char *html = capture_close(&c);
    assert_non_null(
        strstr(html, "<td class=\"n\">1,234.00 元 yuan</td><td class=\"n\">1,234.00 元 yuan</td>"));
    assert_null(strstr(html, "Percent (%)"));
    free(c.text);
    report_table_free(t);
}

static void an_empty_report_renders_everywhere(void **state)
{
    (void)state;
    /* The tables of an empty year: no rows, zero totals, written by each format without error. */
    report rep;
    memset(&rep, 0, sizeof rep);
    rep.plan_year = 2030;
    rep.rule = REPORT_RULE_DEFAULT;
    static const report_column summary[] = {
        {"claims", "理赔案件", "Claims", REPORT_COUNT, 0},
        {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
        {"loss_ratio", "赔付率", "Loss ratio", REPORT_BP, 0},
        {"decline_rate", "拒赔率", "Decline rate", REPORT_BP, 0},
        {"pending", "待审核", "Pending review", REPORT_COUNT, 0},
        {"mean_days", "平均结案天数", "Mean settlement days", REPORT_TENTHS, 0},
        {"premium", "保费收入", "Premium income", REPORT_FEN, 0},
        {"households", "参保家庭", "Insured households", REPORT_COUNT, 0}};
    static const char *const keys[REPORT_T_COUNT] = {"summary",
                                                     "problems",
                                                     "yoy_volume",
                                                     "yoy_rates",
                                                     "claim_frequency",
                                                     "pending_by_age",
                                                     "declines_fraud_trend",
                                                     "enrollment",
                                                     "premium",
                                                     "claims_by_liability",
                                                     "loss_ratio",
                                                     "settlement_time",
                                                     "decline_reasons",
                                                     "fraud_signals",
                                                     "subsidy_reconciliation",
                                                     "claims_by_month",
                                                     "appeals",
                                                     "withdrawals",
                                                     "payments",
                                                     "policy_life"};
    static const report_column loss[] = {{"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
                                         {"premium", "保费收入", "Premium", REPORT_FEN, 0},
                                         {"claims", "案件数", "Claims", REPORT_COUNT, 0},
                                         {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
                                         {"loss_ratio", "赔付率", "Loss ratio", REPORT_BP, 0}};
    for (int i = 0; i < REPORT_T_COUNT; i++) {
        report_table_init(&rep.tables[i], keys[i], "表", "Table", i == 0 ? summary : loss, i == 0 ? 8 : 5);
        assert_int_equal(report_table_sum_total(&rep.tables[i]), FM_OK);
    }
    report_cell *row;
    rep.tables[0].vertical = true;
    assert_int_equal(report_table_add_row(&rep.tables[0], &row), FM_OK);
    row[2].null = row[3].null = row[5].null = true;
    capture c;
    capture_open(&c);
    assert_int_equal(report_write_md(c.f, &rep), FM_OK);
    const char *md = capture_close(&c);
    assert_non_null(strstr(md, "无理赔 No claims."));
    assert_non_null(strstr(md, "| 理赔案件 Claims | 0 |"));
    assert_non_null(strstr(md, "| 赔付率 Loss ratio | — |"));
    free(c.text);
    capture_open(&c);
    assert_int_equal(report_write_html(c.f, &rep), FM_OK);
    const char *html = capture_close(&c);
    assert_non_null(strstr(html, "无理赔 No claims"));
    assert_null(strstr(html, "<script"));
    /* Every liability is drawn, at zero. */
    assert_non_null(strstr(html, "data-label=\"death\" data-value=\"0\""));
    free(c.text);
    capture_open(&c);
    assert_int_equal(report_write_json(c.f, &rep), FM_OK);
    const char *json = capture_close(&c);
    assert_non_null(strstr(json, "\"plan_year\": 2030"));
    assert_non_null(strstr(json, "\"loss_ratio_bp\": null"));
    free(c.text);
    for (int i = 0; i < REPORT_T_COUNT; i++)
        report_table_free(&rep.tables[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fen_become_yuan_with_two_decimals_by_integers),
        cmocka_unit_test(ratios_are_basis_points_rounded_half_up),
        cmocka_unit_test(decimals_parse_exactly_or_not_at_all),
        cmocka_unit_test(csv_and_html_escape_what_they_must),
        cmocka_unit_test(units_far_above_the_city_are_named_and_small_ones_are_not),
        cmocka_unit_test(an_empty_city_has_no_problems),
        cmocka_unit_test(a_suspiciously_low_claim_frequency_is_named),
        cmocka_unit_test(a_city_loss_ratio_far_from_the_plan_is_named),
        cmocka_unit_test(the_rule_is_printed_with_its_numbers),
        cmocka_unit_test(labels_exist_in_both_languages),
        cmocka_unit_test(totals_sum_counts_and_money_only),
        cmocka_unit_test(csv_writes_yuan_labels_and_escapes),
        cmocka_unit_test(measures_write_bare_numbers_and_their_units_apart),
        cmocka_unit_test(problems_are_bare_numbers_in_data_and_carry_units_for_people),
        cmocka_unit_test(an_empty_report_renders_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
