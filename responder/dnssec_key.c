/*
 * responder/dnssec_key.c -- DNSSEC keys: made or read once per zone, the
 * DS records and trust anchors they give.
 */
#include "dnssec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"
#include "zone.h"
#include "zone_int.h"

#define DNSSEC_ALG LDNS_SIGN_ECDSAP256SHA256
#define DNSSEC_ALG_NUM 13

struct dnssec_entry {
	uint8_t origin[WIRE_NAME_MAX];
	ldns_key *key;
};

static struct {
	pthread_mutex_t lock;
	bool on, nsec3;
	char *key_dir;
	struct dnssec_entry *v;
	size_t n, cap;
} ks = {.lock = PTHREAD_MUTEX_INITIALIZER};

void
dnssec_configure(const struct dnssec_config *cfg)
{
	ks.on = cfg->on;
	ks.nsec3 = cfg->nsec3;
	free(ks.key_dir);
	ks.key_dir = cfg->key_dir != NULL ? strdup(cfg->key_dir) : NULL;
}

void
dnssec_shutdown(void)
{
	pthread_mutex_lock(&ks.lock);
	for (size_t i = 0; i < ks.n; i++) {
		ldns_key_deep_free(ks.v[i].key);
	}
	free(ks.v);
	ks.v = NULL;
	ks.n = ks.cap = 0;
	free(ks.key_dir);
	ks.key_dir = NULL;
	pthread_mutex_unlock(&ks.lock);
}

bool
dnssec_on(void)
{
	return ks.on;
}

bool
dnssec_nsec3(void)
{
	return ks.nsec3;
}

static ldns_key *
key_find(const uint8_t *origin)
{
	for (size_t i = 0; i < ks.n; i++) {
		if (wire_name_equal(ks.v[i].origin, origin)) {
			return ks.v[i].key;
		}
	}
	return NULL;
}

/* Owner, flags (257) and key tag: what a .private file does not hold. */
static int
key_finish(ldns_key *k, const uint8_t *origin)
{
	ldns_rdf *owner = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME,
	                                        wire_name_len(origin), origin);
	ldns_rr *rr;

	if (owner == NULL) {
		return -ENOMEM;
	}
	ldns_key_set_pubkey_owner(k, owner);
	ldns_key_set_flags(k, DNSSEC_KEY_FLAGS);
	rr = ldns_key2rr(k);
	if (rr == NULL) {
		return -EINVAL;
	}
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	ldns_rr_free(rr);
	return 0;
}

/* "K<zone>+013+": the start of the key file names of ORIGIN. */
static void
key_prefix(const uint8_t *origin, char *buf, size_t cap)
{
	char name[1024];

	wire_name_to_str(origin, name, sizeof(name));
	snprintf(buf, cap, "K%s+%03d+", name, DNSSEC_ALG_NUM);
}

/*
 * The key of ORIGIN in the key directory: the first (by name) file
 * K<zone>+013+<tag>.private.  NULL and ERR empty when there is none;
 * NULL and ERR filled when one does not read.
 */
static ldns_key *
key_read(const uint8_t *origin, char *err, size_t errlen)
{
	char prefix[1100], best[1400] = "", path[4096];
	struct dirent *de;
	DIR *d;
	FILE *f;
	ldns_key *k = NULL;
	ldns_status st;
	int line = 0;

	err[0] = '\0';
	key_prefix(origin, prefix, sizeof(prefix));
	d = opendir(ks.key_dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", ks.key_dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncasecmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    len > 8 && strcmp(de->d_name + len - 8, ".private") == 0 &&
		    len < sizeof(best) &&
		    (best[0] == '\0' || strcmp(de->d_name, best) < 0)) {
			memcpy(best, de->d_name, len + 1);
		}
	}
	closedir(d);
	if (best[0] == '\0') {
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", ks.key_dir, best);
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	st = ldns_key_new_frm_fp_l(&k, f, &line);
	fclose(f);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
		         ldns_get_errorstr_by_id(st));
		return NULL;
	}
	if (ldns_key_algorithm(k) != DNSSEC_ALG) {
		snprintf(err, errlen, "%s: Algorithm: not ECDSAP256SHA256 (13)",
		         path);
		ldns_key_deep_free(k);
		return NULL;
	}
	if (key_finish(k, origin) != 0) {
		snprintf(err, errlen, "%s: PrivateKey: not a usable key", path);
		ldns_key_deep_free(k);
		return NULL;
	}
	return k;
}

/* Open PATH for writing with MODE (new files only). */
static FILE *
key_open(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL && fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

/* Write K's .private (mode 0600), .key and .ds files as ldns-keygen does. */
static int
key_write(const ldns_key *k, const uint8_t *origin, char *err, size_t errlen)
{
	static const char *const ext[] = {"private", "key", "ds"};
	char prefix[1100], path[4096];
	ldns_rr *rr = ldns_key2rr(k);
	ldns_rr *ds = rr != NULL ? ldns_key_rr2ds(rr, LDNS_SHA256) : NULL;
	int rc = 0;

	if (rr == NULL || ds == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	key_prefix(origin, prefix, sizeof(prefix));
	for (size_t i = 0; i < 3; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s%05u.%s", ks.key_dir, prefix,
		         (unsigned)ldns_key_keytag(k), ext[i]);
		f = key_open(path, i == 0 ? 0600 : 0644);
		if (f == NULL) {
			rc = -errno;
			break;
		}
		if (i == 0) {
			ldns_key_print(f, k);
		} else {
			ldns_rr_print(f, i == 1 ? rr : ds);
		}
		if (fclose(f) != 0) {
			rc = -errno;
			break;
		}
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	}
out:
	ldns_rr_free(rr);
	ldns_rr_free(ds);
	return rc;
}

ldns_key *
dnssec_key_get(const uint8_t *origin, char *err, size_t errlen)
{
	ldns_key *k;

	pthread_mutex_lock(&ks.lock);
	k = key_find(origin);
	if (k != NULL) {
		goto out;
	}
	if (ks.n == ks.cap) {
		size_t nc = ks.cap ? ks.cap * 2 : 16;
		struct dnssec_entry *nv = realloc(ks.v, nc * sizeof(*nv));

		if (nv == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		ks.v = nv;
		ks.cap = nc;
	}
	if (ks.key_dir != NULL) {
		k = key_read(origin, err, errlen);
		if (k == NULL && err[0] != '\0') {
			goto out;
		}
	}
	if (k == NULL) {
		k = ldns_key_new_frm_algorithm(DNSSEC_ALG, 256);
		if (k == NULL || key_finish(k, origin) != 0) {
			snprintf(err, errlen, "no ECDSAP256SHA256 key made");
			ldns_key_deep_free(k);
			k = NULL;
			goto out;
		}
		if (ks.key_dir != NULL && key_write(k, origin, err, errlen) != 0) {
			ldns_key_deep_free(k);
			k = NULL;
			goto out;
		}
	}
	memcpy(ks.v[ks.n].origin, origin, wire_name_len(origin));
	ks.v[ks.n++].key = k;
out:
	pthread_mutex_unlock(&ks.lock);
	return k;
}

bool
dnssec_key_known(const uint8_t *origin)
{
	bool known;

	pthread_mutex_lock(&ks.lock);
	known = key_find(origin) != NULL;
	pthread_mutex_unlock(&ks.lock);
	return known;
}

ldns_rr *
dnssec_key_ds(const uint8_t *origin, uint32_t ttl)
{
	ldns_rr *rr = NULL, *ds = NULL;
	ldns_key *k;

	pthread_mutex_lock(&ks.lock);
	k = key_find(origin);
	rr = k != NULL ? ldns_key2rr(k) : NULL;
	pthread_mutex_unlock(&ks.lock);
	if (rr != NULL) {
		ds = ldns_key_rr2ds(rr, LDNS_SHA256);
		ldns_rr_free(rr);
	}
	if (ds != NULL) {
		ldns_rr_set_ttl(ds, ttl);
	}
	return ds;
}

/* The nearest zone of ZS strictly above Z, or NULL. */
static const struct zone *
parent_zone(const struct zone_set *zs, const struct zone *z)
{
	const struct zone *best = NULL;

	for (size_t i = 0; i < zone_set_zone_count(zs); i++) {
		const struct zone *p = zone_set_zone(zs, i);

		if (p != z && p->labels < z->labels &&
		    wire_name_is_subdomain(z->origin, p->origin) &&
		    (best == NULL || p->labels > best->labels)) {
			best = p;
		}
	}
	return best;
}

/*
 * Whether Z of ZS needs a trust anchor: signed here, and no parent zone of
 * ZS signed here holds its DS (the chain would run through the parent).
 */
static bool
needs_anchor(const struct zone_set *zs, const struct zone *z)
{
	const struct zone *p = NULL;
	const struct zone_node *cut = NULL;

	if (!z->signed_here) {
		return false;
	}
	p = parent_zone(zs, z);
	if (p != NULL) {
		cut = zone_node_find(p, z->origin, z->originlen,
		                     wire_name_hash(z->origin, z->originlen));
	}
	return cut == NULL || zone_node_rrset(cut, WIRE_TYPE_DS) == NULL ||
	       !p->signed_here;
}

/*
 * Whether a set before SETS[K] needs the anchor of ORIGIN: one key a zone
 * name, so the same zone in several sets has one DS, written once.
 */
static bool
anchor_written(const struct zone_set *const *sets, size_t k,
               const uint8_t *origin)
{
	for (size_t j = 0; j < k; j++) {
		for (size_t i = 0; i < zone_set_zone_count(sets[j]); i++) {
			const struct zone *z = zone_set_zone(sets[j], i);

			if (wire_name_equal(z->origin, origin) &&
			    needs_anchor(sets[j], z)) {
				return true;
			}
		}
	}
	return false;
}

int
dnssec_write_trust_anchors(const struct zone_set *const *sets, size_t nsets,
                           const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "w");
	int rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -errno;
	}
	for (size_t k = 0; k < nsets; k++) {
		for (size_t i = 0; i < zone_set_zone_count(sets[k]); i++) {
			const struct zone *z = zone_set_zone(sets[k], i);
			ldns_rr *ds;

			if (!needs_anchor(sets[k], z) ||
			    anchor_written(sets, k, z->origin)) {
				continue;
			}
			ds = dnssec_key_ds(z->origin, 3600);
			if (ds != NULL) {
				ldns_rr_print(f, ds);
				ldns_rr_free(ds);
			}
		}
	}
	if (fclose(f) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
	}
	return rc;
}
