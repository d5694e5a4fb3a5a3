/* report_pdf.c — the report as PDF: the HTML page printed by headless Chromium (an optional dependency). */
#include "report_pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report_render.h"

extern char **environ;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* A PDF file starts with "%PDF-". */
static bool is_pdf(const char *path)
{
    char head[5] = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, "%PDF-", 5) == 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

fm_status report_pdf_print(const char *chromium, const char *html_path, const char *pdf_path, int timeout_s,
                           fm_error *err)
{
    char html_abs[PATH_MAX], url[PATH_MAX + 16], profile[PATH_MAX], opt_profile[PATH_MAX + 32];
    char opt_pdf[PATH_MAX + 32], log_path[PATH_MAX + 16];
    if (realpath(html_path, html_abs) == NULL) {
        fm_error_set(err, html_path, "PDF_FAILED", "cannot print %s to PDF: %s", html_path, strerror(errno));
        return FM_EIO;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(profile, sizeof profile, "%s/famins-report-chromium-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(profile) == NULL) {
        fm_error_set(err, profile, "PDF_FAILED", "cannot make a browser profile folder: %s", strerror(errno));
        return FM_EIO;
    }
    snprintf(url, sizeof url, "file://%s", html_abs);
    snprintf(opt_profile, sizeof opt_profile, "--user-data-dir=%s", profile);
    snprintf(opt_pdf, sizeof opt_pdf, "--print-to-pdf=%s", pdf_path);
    snprintf(log_path, sizeof log_path, "%s/chromium.log", profile);
    /* No network, no state, no sandbox (it needs user namespaces a service often lacks; the page is our own).
     */
    char *argv[] = {(char *)chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                    opt_profile,
                    "--no-pdf-header-footer",
                    opt_pdf,
                    url,
                    NULL};
    unlink(pdf_path); /* a PDF left from an earlier run must not pass for this one */
    fm_status st = FM_EIO;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    /* Its chatter goes to a log in the profile folder, not into ours; it runs in a process group of its own
     * so that a timeout kills the renderer and GPU children too. */
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = strchr(chromium, '/') != NULL ? posix_spawn(&pid, chromium, &fa, &attr, argv, environ)
                                           : posix_spawnp(&pid, chromium, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        fm_error_set(
            err, chromium, "NO_CHROMIUM",
            "cannot run \"%s\" (%s): PDF needs Chromium, an optional dependency (Debian: apt-get install "
            "chromium fonts-wqy-zenhei; or set FAMINS_REPORT_CHROMIUM)",
            chromium, strerror(rc));
        goto done;
    }
    int status = 0;
    long waited = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && waited < (long)timeout_s * 1000) {
        sleep_ms(100);
        waited += 100;
    }
    if (w == 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        fm_error_set(err, pdf_path, "PDF_TIMEOUT", "chromium did not print %s within %d s (killed)", pdf_path,
                     timeout_s);
        goto done;
    }
    kill(-pid, SIGKILL); /* helpers it left behind, if any */
    if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fm_error_set(err, pdf_path, "PDF_FAILED", "chromium failed printing %s (%s %d)", pdf_path,
                     w >= 0 && WIFSIGNALED(status) ? "signal" : "exit status",
                     w >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        goto done;
    }
    if (!is_pdf(pdf_path)) {
        fm_error_set(err, pdf_path, "PDF_FAILED", "chromium exited but wrote no PDF to %s", pdf_path);
        goto done;
    }
    st = FM_OK;
done:
    nftw(profile, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return st;
}

fm_status report_write_pdf(const report *rep, const char *dir, const char *chromium, int timeout_s,
                           bool keep_html, fm_error *err)
{
    char base[PATH_MAX / 2], html[PATH_MAX], pdf[PATH_MAX];
    const char *prefix = dir != NULL ? dir : ".";
    if (rep->unit[0] != '\0')
        snprintf(base, sizeof base, "%s/report-%d-%s", prefix, rep->plan_year, rep->unit);
    else
        snprintf(base, sizeof base, "%s/report-%d", prefix, rep->plan_year);
    snprintf(html, sizeof html, keep_html ? "%s.html" : "%s.print.html", base);
    snprintf(pdf, sizeof pdf, "%s.pdf", base);
    if (!keep_html) {
        FILE *f = fopen(html, "w");
        if (f == NULL) {
            fm_error_set(err, html, "UNWRITABLE", "cannot write %s: %s", html, strerror(errno));
            return FM_EIO;
        }
        fm_status st = report_write_html(f, rep);
        if (fclose(f) != 0 || st != FM_OK) {
            unlink(html);
            fm_error_set(err, html, "WRITE_FAILED", "writing %s failed", html);
            return FM_EIO;
        }
    }
    fm_status st = report_pdf_print(chromium, html, pdf, timeout_s, err);
    if (!keep_html)
        unlink(html);
    return st;
}
