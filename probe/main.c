/*
 * probe/main.c -- caa-probe: may a CA issue for a name?  (command line)
 *
 * The evaluation lives in the caa library (probe/caa); the lookups and the
 * report are added on top of it.  Until then the program states its
 * contract and refuses to guess.
 */
#include <stdio.h>
#include <string.h>

static void
usage(FILE *f)
{
	fputs("usage: caa-probe [OPTIONS] NAME...\n"
	      "Decide whether a Certification Authority may issue for NAME\n"
	      "(RFC 8659 tree climbing, RFC 8657 parameters).\n"
	      "\n"
	      "  --ca DOMAIN             the CA's issuer domain name "
	      "(default letsencrypt.org)\n"
	      "  --account-uri URI       RFC 8657 accounturi of the account\n"
	      "  --method METHOD         RFC 8657 validation method\n"
	      "  --policy rfc8659|boulder\n"
	      "  -s, --server HOST[#PORT]  -p, --port N\n"
	      "  -o, --format text|json|jsonl\n"
	      "  -h, --help  -V, --version\n"
	      "\n"
	      "Exit status: 0 allowed, 1 denied, 2 lookup failed, 64 usage.\n",
	      f);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	                  strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "-V") == 0 ||
	                  strcmp(argv[1], "--version") == 0)) {
		printf("caa-probe %s\n", CAALAB_VERSION);
		return 0;
	}
	fputs("caa-probe: DNS lookups are not available in this version; "
	      "only --help and --version work\n",
	      stderr);
	usage(stderr);
	return 64;
}
