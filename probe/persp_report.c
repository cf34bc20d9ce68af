/*
 * probe/persp_report.c -- the remote perspectives in the text and JSON
 * reports of a name (report.h).
 */
#include <string.h>

#include "check.h"
#include "report.h"

static void
persp_json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
	} else {
		report_json_string(f, s, strlen(s));
	}
}

void
report_json_perspectives(FILE *f, const struct check *chk)
{
	if (chk->remotes == NULL) {
		return;
	}
	fputs(",\"perspectives\":[", f);
	for (size_t i = 0; i < chk->nremotes; i++) {
		const struct check_remote *rm = &chk->remotes[i];
		const struct check *rc = rm->chk;

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		persp_json_str(f, rm->name);
		fputs(",\"rir\":", f);
		persp_json_str(f, rm->rir);
		fputs(",\"verdict\":", f);
		persp_json_str(f, rc != NULL ? caa_verdict_name(rc->result.verdict)
		                             : NULL);
		fputs(",\"reason\":", f);
		persp_json_str(f, rc != NULL ? rc->result.reason : NULL);
		fputs(",\"lookups\":", f);
		if (rc != NULL) {
			report_json_lookups(f, rc);
		} else {
			fputs("[]", f);
		}
		putc('}', f);
	}
	putc(']', f);
	if (chk->remotes_asked) {
		fprintf(f, ",\"quorum\":\"%zu/%zu\"", chk->corroborating,
		        chk->nremotes);
	} else {
		fputs(",\"quorum\":null", f);
	}
}

void
report_text_perspectives(FILE *f, const struct check *chk)
{
	int width = 0;

	if (chk->remotes == NULL) {
		return;
	}
	if (chk->remotes_asked) {
		fprintf(f, "  perspectives: quorum %zu/%zu\n",
		        chk->corroborating, chk->nremotes);
	} else {
		fputs("  perspectives: not asked (the primary decides alone "
		      "when it does not permit)\n",
		      f);
	}
	for (size_t i = 0; i < chk->nremotes; i++) {
		int w = (int)strlen(chk->remotes[i].name);

		width = w > width ? w : width;
	}
	for (size_t i = 0; i < chk->nremotes; i++) {
		const struct check_remote *rm = &chk->remotes[i];
		const struct check *rc = rm->chk;

		fprintf(f, "    %-*s  %-7s  ", width, rm->name,
		        rm->rir != NULL ? rm->rir : "-");
		if (rc == NULL) {
			fputs(chk->remotes_asked ? "lookup-failed  out of memory\n"
			                         : "not asked\n",
			      f);
		} else if (rc->result.verdict == CAA_ALLOWED) {
			fputs("allowed\n", f);
		} else {
			fprintf(f, "%s  %s\n",
			        caa_verdict_name(rc->result.verdict),
			        rc->result.reason);
		}
	}
}
