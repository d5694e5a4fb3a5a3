/* fm_explain.c — one-line explanations of enrollment and claim decisions in English or Chinese. */
#include "fm_explain.h"

#include "fm_dates.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct writer {
    char *buf;
    size_t len;
    size_t pos;
    bool truncated;
} writer;

__attribute__((format(printf, 2, 3))) static void put(writer *w, const char *fmt, ...)
{
    if (w->truncated)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->buf + w->pos, w->len - w->pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->len - w->pos) {
        w->truncated = true;
        w->pos = w->len - 1;
        return;
    }
    w->pos += (size_t)n;
}

/* A cut line must stay valid UTF-8: drop a last character whose bytes were cut short. */
static fm_status finish(writer *w)
{
    if (!w->truncated)
        return FM_OK;
    size_t n = strlen(w->buf);
    if (n > 0) {
        size_t j = n - 1;
        while (j > 0 && ((unsigned char)w->buf[j] & 0xC0) == 0x80)
            j--;
        unsigned char lead = (unsigned char)w->buf[j];
        size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (j + need > n)
            w->buf[j] = '\0';
    }
    return FM_EINVAL;
}

static void money(writer *w, fm_fen fen)
{
    if (fen < 0) {
        put(w, "-");
        fen = fen == INT64_MIN ? INT64_MAX : -fen;
    }
    put(w, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

static const char *reason_label(fm_reason r, fm_lang lang)
{
    return lang == FM_LANG_ZH ? fm_reason_label_zh(r) : fm_reason_label_en(r);
}

static void reason_list(writer *w, const fm_reason *r, size_t n, fm_lang lang)
{
    for (size_t i = 0; i < n; i++)
        put(w, "%s%s", i == 0 ? "" : (lang == FM_LANG_ZH ? "；" : "; "), reason_label(r[i], lang));
}

static void member_reasons(writer *w, const fm_enrollment_decision *d, fm_lang lang)
{
    if (d->n_applicant_reasons > 0) {
        put(w, lang == FM_LANG_ZH ? "投保人：" : " Applicant: ");
        reason_list(w, d->applicant_reasons, d->n_applicant_reasons, lang);
        put(w, lang == FM_LANG_ZH ? "。" : ".");
    }
    for (size_t i = 0; i < d->n_members && i < FM_MAX_MEMBERS; i++) {
        if (d->members[i].n_reasons == 0)
            continue;
        /* Members are named by their position on the form: never by identity number. */
        if (lang == FM_LANG_ZH)
            put(w, "第%zu位成员未参保：", i + 1);
        else
            put(w, " Member %zu not insured: ", i + 1);
        reason_list(w, d->members[i].reasons, d->members[i].n_reasons, lang);
        put(w, lang == FM_LANG_ZH ? "。" : ".");
    }
}

fm_status fm_explain_enrollment(const fm_enrollment_decision *d, fm_lang lang, char *buf, size_t len)
{
    if (d == NULL || buf == NULL || len == 0)
        return FM_EINVAL;
    buf[0] = '\0';
    writer w = {buf, len, 0, false};
    char start[16] = "", end[16] = "";
    if (d->outcome == FM_ENROLLMENT_REJECTED) {
        put(&w, lang == FM_LANG_ZH ? "不予参保：" : "Rejected: ");
        reason_list(&w, d->reasons, d->n_reasons, lang);
        put(&w, lang == FM_LANG_ZH ? "。" : ".");
        member_reasons(&w, d, lang);
        return finish(&w);
    }
    fm_date_format(d->coverage_start, start, sizeof start);
    fm_date_format(d->coverage_end, end, sizeof end);
    if (lang == FM_LANG_ZH) {
        put(&w, "同意参保，按%s参保：%zu位成员中%zu位参保，保险期间%s至%s；保费",
            d->category == FM_CATEGORY_A ? "独生子女和农村双女户家庭（A类）" : "一孩、两孩、三孩家庭（B类）",
            d->n_members, d->n_insured, start, end);
        money(&w, d->premium);
        put(&w, "元，财政补贴");
        money(&w, d->subsidy);
        put(&w, "元，家庭自付");
        money(&w, d->self_paid);
        put(&w, "元（保单号 %s，方案 %s）。", d->policy_number, d->plan_version);
        for (size_t i = 0; i < d->n_notes; i++)
            put(&w, "%s。", fm_reason_label_zh(d->notes[i]));
    } else {
        put(&w, "Accepted as category %s: %zu of %zu members insured from %s to %s; premium ",
            fm_category_name(d->category), d->n_insured, d->n_members, start, end);
        money(&w, d->premium);
        put(&w, " yuan, subsidy ");
        money(&w, d->subsidy);
        put(&w, ", the family pays ");
        money(&w, d->self_paid);
        put(&w, " (policy %s, plan %s).", d->policy_number, d->plan_version);
        for (size_t i = 0; i < d->n_notes; i++)
            put(&w, " %s.", fm_reason_label_en(d->notes[i]));
    }
    member_reasons(&w, d, lang);
    return finish(&w);
}

/* An empty line is "-": the event schemas want at least one character, and the record keeps the same. A line
 * cut at the buffer's end still reads (cut at a character boundary), so truncation is no error here. */
static void dash_if_empty(fm_explanation *x)
{
    if (x->en[0] == '\0')
        strcpy(x->en, "-");
    if (x->zh[0] == '\0')
        strcpy(x->zh, "-");
}

void fm_explain_enrollment_both(const fm_enrollment_decision *d, fm_explanation *out)
{
    out->en[0] = out->zh[0] = '\0';
    (void)fm_explain_enrollment(d, FM_LANG_EN, out->en, sizeof out->en);
    (void)fm_explain_enrollment(d, FM_LANG_ZH, out->zh, sizeof out->zh);
    dash_if_empty(out);
}

static const char *liability_label(fm_liability l, fm_lang lang)
{
    static const char *const en[] = {"the death benefit", "the critical illness benefit",
                                     "the accidental disability benefit", "accident medical expenses",
                                     "illness hospitalisation expenses"};
    static const char *const zh[] = {"身故保险金", "重大疾病保险金", "意外伤残保险金", "意外伤害医疗费",
                                     "疾病住院医疗费"};
    if ((int)l < 0 || l >= FM_LIAB_COUNT)
        return "?";
    return lang == FM_LANG_ZH ? zh[l] : en[l];
}

fm_status fm_explain_claim(const fm_claim_decision *d, fm_liability liability, fm_lang lang, char *buf,
                           size_t len)
{
    if (d == NULL || buf == NULL || len == 0)
        return FM_EINVAL;
    buf[0] = '\0';
    writer w = {buf, len, 0, false};
    const char *what = liability_label(liability, lang);
    bool zh = lang == FM_LANG_ZH;
    switch (d->outcome) {
    case FM_CLAIM_APPROVED:
        put(&w, zh ? "同意赔付：%s " : "Approved: ", what);
        money(&w, d->payable);
        put(&w, zh ? "元。" : " yuan for %s.", what);
        break;
    case FM_CLAIM_PARTIAL:
        put(&w, zh ? "部分赔付：%s应赔 " : "Partly approved: ", what);
        if (zh) {
            money(&w, d->full);
            put(&w, "元，实赔 ");
            money(&w, d->payable);
            put(&w, "元（");
        } else {
            money(&w, d->payable);
            put(&w, " of ");
            money(&w, d->full);
            put(&w, " yuan for %s (", what);
        }
        reason_list(&w, d->reasons, d->n_reasons, lang);
        put(&w, zh ? "）。" : ").");
        break;
    case FM_CLAIM_DECLINED:
        put(&w, zh ? "拒赔：" : "Declined: ");
        reason_list(&w, d->reasons, d->n_reasons, lang);
        put(&w, zh ? "。" : ".");
        break;
    case FM_CLAIM_PENDING_REVIEW:
        put(&w, zh ? "转人工审核：" : "Sent to review: ");
        reason_list(&w, d->reasons, d->n_reasons, lang);
        put(&w, zh ? "；审核前暂不赔付（按目前计算可赔 " : "; nothing is paid until a reviewer decides (");
        money(&w, d->computed);
        put(&w, zh ? "元）。" : " yuan would be payable now).");
        break;
    }
    return finish(&w);
}

void fm_explain_claim_both(const fm_claim_decision *d, fm_liability liability, fm_explanation *out)
{
    out->en[0] = out->zh[0] = '\0';
    (void)fm_explain_claim(d, liability, FM_LANG_EN, out->en, sizeof out->en);
    (void)fm_explain_claim(d, liability, FM_LANG_ZH, out->zh, sizeof out->zh);
    dash_if_empty(out);
}
