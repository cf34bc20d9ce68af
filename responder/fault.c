/*
 * responder/fault.c -- fault rules: the rule set, rules files and the matcher.
 *
 * The set keeps its rules twice: an array in priority order (for listing,
 * removal and reloads) and an index, a hash table keyed on (canonical
 * name, selector, type) whose entries list their rules in priority order.
 * A query looks up its own name, its ancestors at the depths where `*.X`
 * rules exist, and `.`, each for its type and for `*`, and merges the few
 * lists it finds.
 */
#include "fault.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "cidr.h"
#include "wire.h"
#include "fault_int.h"

#define FAULT_CURSORS (2 * (WIRE_LABELS_MAX + 2))

struct fault_key {
	struct fault_key *next; /* in its bucket */
	struct fault_list list;
	uint32_t hash;
	uint32_t type;
	enum fault_select select;
	uint8_t namelen;
	uint8_t name[]; /* canonical wire form */
};

struct fault_index {
	struct fault_key **buckets;
	size_t mask; /* buckets - 1, a power of two less one */
	size_t nkeys;
	/* One bit per name hash, 8 bits a bucket: most names without rules are
	 * turned away here, in a table small enough to stay in the cache,
	 * before the bucket and key lookups (two cache misses each). */
	uint64_t *filter;
	size_t fmask; /* bits - 1 */
	/* Rules per label count, so a query skips depths without any. */
	uint32_t nexact[WIRE_LABELS_MAX];
	uint32_t nbelow[WIRE_LABELS_MAX];
	uint32_t nall;
};

struct fault_file {
	char *path;
	uint32_t seq;
};

struct fault_set {
	struct fault_list rules; /* every rule, by prio */
	struct fault_index idx;
	struct fault_file *files;
	size_t nfiles;
	uint64_t rng;
	uint32_t next_id;
	uint32_t next_seq;
};


static const uint8_t fault_root[1] = {0};

/* The index. */

static uint32_t
fault_key_hash(uint32_t namehash, enum fault_select select, uint32_t type)
{
	uint32_t h = namehash ^ (type * 0x9e3779b1U) ^
	             ((uint32_t)select * 0x85ebca6bU);

	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	return h ^ (h >> 16);
}

static size_t
fault_filter_bit(const struct fault_index *idx, uint32_t namehash)
{
	uint32_t h = namehash * 0x9e3779b1U;

	return (size_t)(h ^ (h >> 15)) & idx->fmask;
}

static bool
fault_filter_has(const struct fault_index *idx, uint32_t namehash)
{
	size_t b = fault_filter_bit(idx, namehash);

	return (idx->filter[b / 64] >> (b % 64) & 1U) != 0;
}

static void
fault_filter_set(struct fault_index *idx, uint32_t namehash)
{
	size_t b = fault_filter_bit(idx, namehash);

	idx->filter[b / 64] |= (uint64_t)1 << (b % 64);
}

static int
fault_index_init(struct fault_index *idx, size_t nbuckets)
{
	size_t n = 16;

	while (n < nbuckets) {
		n *= 2;
	}
	memset(idx, 0, sizeof(*idx));
	idx->buckets = calloc(n, sizeof(struct fault_key *));
	idx->filter = calloc(n / 8, sizeof(uint64_t)); /* 8 bits a bucket */
	idx->mask = n - 1;
	idx->fmask = n * 8 - 1;
	if (idx->buckets == NULL || idx->filter == NULL) {
		free(idx->buckets);
		free(idx->filter);
		idx->buckets = NULL;
		idx->filter = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Free the keys, not the rules; FREE_BUCKETS too when done with IDX. */
static void
fault_index_clear(struct fault_index *idx, bool free_buckets)
{
	struct fault_key *k = NULL;
	struct fault_key *next = NULL;

	for (size_t b = 0; idx->buckets != NULL && b <= idx->mask; b++) {
		for (k = idx->buckets[b]; k != NULL; k = next) {
			next = k->next;
			free(k->list.r);
			free(k);
		}
		idx->buckets[b] = NULL;
	}
	if (free_buckets) {
		free(idx->buckets);
		free(idx->filter);
		idx->buckets = NULL;
		idx->filter = NULL;
	} else if (idx->filter != NULL) {
		memset(idx->filter, 0, (idx->fmask + 1) / 8);
	}
	idx->nkeys = 0;
	memset(idx->nexact, 0, sizeof(idx->nexact));
	memset(idx->nbelow, 0, sizeof(idx->nbelow));
	idx->nall = 0;
}

static struct fault_key *
fault_index_find(const struct fault_index *idx, uint32_t hash,
                 const uint8_t *name, size_t len, enum fault_select select,
                 uint32_t type)
{
	struct fault_key *k = idx->buckets[hash & idx->mask];

	for (; k != NULL; k = k->next) {
		if (k->hash == hash && k->type == type && k->select == select &&
		    k->namelen == len && memcmp(k->name, name, len) == 0) {
			return k;
		}
	}
	return NULL;
}

/* Double the buckets when the keys outnumber them; failing is harmless. */
static void
fault_index_grow(struct fault_index *idx)
{
	size_t n = (idx->mask + 1) * 2;
	struct fault_key **b = NULL;
	uint64_t *f = NULL;
	struct fault_key *k = NULL;
	struct fault_key *next = NULL;

	if (idx->nkeys <= idx->mask + 1 ||
	    (b = calloc(n, sizeof(struct fault_key *))) == NULL) {
		return;
	}
	if ((f = calloc(n / 8, sizeof(uint64_t))) == NULL) {
		free(b);
		return;
	}
	free(idx->filter);
	idx->filter = f;
	idx->fmask = n * 8 - 1;
	for (size_t i = 0; i <= idx->mask; i++) {
		for (k = idx->buckets[i]; k != NULL; k = next) {
			next = k->next;
			k->next = b[k->hash & (n - 1)];
			b[k->hash & (n - 1)] = k;
			fault_filter_set(idx, wire_name_hash(k->name,
			                                     k->namelen));
		}
	}
	free(idx->buckets);
	idx->buckets = b;
	idx->mask = n - 1;
}

static void
fault_index_count(struct fault_index *idx, const struct fault_rule *r,
                  uint32_t delta)
{
	if (r->select == FAULT_SELECT_EXACT) {
		idx->nexact[r->labels] += delta;
	} else if (r->select == FAULT_SELECT_BELOW) {
		idx->nbelow[r->labels] += delta;
	} else {
		idx->nall += delta;
	}
}

static uint32_t
fault_rule_key_hash(const struct fault_rule *r)
{
	return fault_key_hash(wire_name_hash(r->name, r->namelen), r->select,
	                      r->type);
}

/* Append R to its key's list (R comes after every rule there).  Atomic. */
static int
fault_index_insert(struct fault_index *idx, struct fault_rule *r)
{
	uint32_t h = fault_rule_key_hash(r);
	struct fault_key *k = fault_index_find(idx, h, r->name, r->namelen,
	                                       r->select, r->type);

	if (k == NULL) {
		k = calloc(1, sizeof(*k) + r->namelen);
		if (k == NULL || fault_list_grow(&k->list) != 0) {
			free(k);
			return -ENOMEM;
		}
		k->hash = h;
		k->type = r->type;
		k->select = r->select;
		k->namelen = r->namelen;
		memcpy(k->name, r->name, r->namelen);
		k->next = idx->buckets[h & idx->mask];
		idx->buckets[h & idx->mask] = k;
		idx->nkeys++;
		fault_filter_set(idx, wire_name_hash(r->name, r->namelen));
	} else if (fault_list_grow(&k->list) != 0) {
		return -ENOMEM;
	}
	k->list.r[k->list.n++] = r;
	fault_index_count(idx, r, 1);
	fault_index_grow(idx);
	return 0;
}

static void
fault_index_remove(struct fault_index *idx, const struct fault_rule *r)
{
	struct fault_key **pk =
	        &idx->buckets[fault_rule_key_hash(r) & idx->mask];
	struct fault_key *k = NULL;

	for (; (k = *pk) != NULL; pk = &k->next) {
		for (size_t i = 0; i < k->list.n; i++) {
			if (k->list.r[i] != r) {
				continue;
			}
			memmove(&k->list.r[i], &k->list.r[i + 1],
			        (k->list.n - i - 1) *
			                sizeof(struct fault_rule *));
			fault_index_count(idx, r, UINT32_MAX); /* -1 */
			if (--k->list.n == 0) {
				*pk = k->next;
				free(k->list.r);
				free(k);
				idx->nkeys--;
			}
			return;
		}
	}
}

/* The set. */

struct fault_set *
fault_set_new(void)
{
	struct fault_set *fs = calloc(1, sizeof(*fs));

	if (fs != NULL && fault_index_init(&fs->idx, 16) != 0) {
		free(fs);
		fs = NULL;
	}
	if (fs != NULL) {
		fs->next_id = 1;
		fs->next_seq = 1;
	}
	return fs;
}

void
fault_set_free(struct fault_set *fs)
{
	if (fs == NULL) {
		return;
	}
	fault_set_clear(fs);
	fault_index_clear(&fs->idx, true);
	free(fs->rules.r);
	for (size_t i = 0; i < fs->nfiles; i++) {
		free(fs->files[i].path);
	}
	free(fs->files);
	free(fs);
}

void
fault_set_seed(struct fault_set *fs, uint64_t seed)
{
	fs->rng = seed;
}

/* splitmix64 (Steele, Lea and Flood, 2014), as a double in [0, 1). */
static double
fault_draw(struct fault_set *fs)
{
	uint64_t z = (fs->rng += 0x9e3779b97f4a7c15U);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9U;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebU;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

int
fault_set_add(struct fault_set *fs, struct fault_rule *r,
              enum fault_origin origin, uint32_t *id)
{
	int rc = origin == FAULT_ORIGIN_FILE ? -EINVAL
	                                     : fault_list_grow(&fs->rules);

	if (rc == 0) {
		r->origin = origin;
		r->prio = (uint64_t)fs->next_seq << 32;
		rc = fault_index_insert(&fs->idx, r);
	}
	if (rc != 0) {
		fault_rule_free(r);
		return rc;
	}
	fs->next_seq++;
	r->id = fs->next_id++;
	fs->rules.r[fs->rules.n++] = r;
	if (id != NULL) {
		*id = r->id;
	}
	return 0;
}

int
fault_set_add_text(struct fault_set *fs, const char *line,
                   enum fault_origin origin, uint32_t *id, char *err,
                   size_t errlen)
{
	struct fault_rule *r = NULL;
	int rc = fault_rule_parse(line, &r, err, errlen);

	if (rc == 0 && (rc = fault_set_add(fs, r, origin, id)) != 0) {
		fault_err(err, errlen, "%s",
		          rc == -ENOMEM ? "out of memory" : "bad origin");
	}
	return rc;
}

int
fault_set_remove(struct fault_set *fs, uint32_t id)
{
	struct fault_list *l = &fs->rules;

	for (size_t i = 0; i < l->n; i++) {
		if (l->r[i]->id == id) {
			fault_index_remove(&fs->idx, l->r[i]);
			fault_rule_free(l->r[i]);
			memmove(&l->r[i], &l->r[i + 1],
			        (l->n - i - 1) * sizeof(struct fault_rule *));
			l->n--;
			return 0;
		}
	}
	return -ENOENT;
}

void
fault_set_clear(struct fault_set *fs)
{
	fault_index_clear(&fs->idx, false);
	for (size_t i = 0; i < fs->rules.n; i++) {
		fault_rule_free(fs->rules.r[i]);
	}
	fs->rules.n = 0;
}

size_t
fault_set_count(const struct fault_set *fs)
{
	return fs->rules.n;
}

const struct fault_rule *
fault_set_rule(const struct fault_set *fs, size_t i)
{
	return i < fs->rules.n ? fs->rules.r[i] : NULL;
}

const struct fault_rule *
fault_set_find(const struct fault_set *fs, uint32_t id)
{
	for (size_t i = 0; i < fs->rules.n; i++) {
		if (fs->rules.r[i]->id == id) {
			return fs->rules.r[i];
		}
	}
	return NULL;
}

/* Rules files. */

static void
fault_list_free_rules(struct fault_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fault_rule_free(l->r[i]);
	}
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/*
 * Append the rules of PATH to OUT, placed at SEQ; all or nothing (on
 * error OUT keeps what it had).
 */
static int
fault_file_read(const char *path, uint32_t seq, struct fault_list *out,
                char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	size_t lineno = 0;
	size_t first = out->n;
	ssize_t len = 0;
	struct fault_rule *r = NULL;
	char msg[256];
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		fault_err(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strlen(line) != (size_t)len) {
			(void)snprintf(msg, sizeof(msg), "NUL byte in line");
			rc = -EINVAL;
			break;
		}
		fault_strip_comment(line);
		if (line[strspn(line, " \t\r\n")] == '\0') {
			continue;
		}
		rc = fault_rule_parse(line, &r, msg, sizeof(msg));
		if (rc == 0 && (rc = fault_list_grow(out)) != 0) {
			fault_rule_free(r);
			(void)snprintf(msg, sizeof(msg), "out of memory");
		}
		if (rc == 0) {
			r->origin = FAULT_ORIGIN_FILE;
			r->prio = ((uint64_t)seq << 32) | (uint64_t)lineno;
			out->r[out->n++] = r;
		}
	}
	if (rc != 0) {
		fault_err(err, errlen, "%s:%zu: %s", path, lineno, msg);
	} else if (ferror(f)) {
		rc = -EIO;
		fault_err(err, errlen, "%s: %s", path, strerror(EIO));
	}
	free(line);
	(void)fclose(f);
	while (rc != 0 && out->n > first) {
		fault_rule_free(out->r[--out->n]);
	}
	return rc;
}

static int
fault_prio_cmp(const void *a, const void *b)
{
	const struct fault_rule *ra = *(struct fault_rule *const *)a;
	const struct fault_rule *rb = *(struct fault_rule *const *)b;

	return ra->prio < rb->prio ? -1 : ra->prio > rb->prio;
}

/* Whether a reload of file SEQ (0: of every file) replaces R. */
static bool
fault_replaced(const struct fault_rule *r, uint32_t seq)
{
	return r->origin == FAULT_ORIGIN_FILE &&
	       (seq == 0 || (uint32_t)(r->prio >> 32) == seq);
}

/*
 * Put the rules of NEW in place of the file rules fault_replaced() picks,
 * building a new index so that failure leaves the set as it was.  On
 * success NEW's rules belong to the set and NEW is empty.
 */
static int
fault_set_replace(struct fault_set *fs, struct fault_list *new, uint32_t seq)
{
	struct fault_index nidx;
	struct fault_list all = {NULL, 0, 0};
	size_t i = 0;

	all.cap = fs->rules.n + new->n + 1;
	all.r = malloc(all.cap * sizeof(struct fault_rule *));
	if (all.r == NULL || fault_index_init(&nidx, all.cap) != 0) {
		free(all.r);
		return -ENOMEM;
	}
	for (i = 0; i < fs->rules.n; i++) {
		if (!fault_replaced(fs->rules.r[i], seq)) {
			all.r[all.n++] = fs->rules.r[i];
		}
	}
	for (i = 0; i < new->n; i++) {
		all.r[all.n++] = new->r[i];
	}
	qsort(all.r, all.n, sizeof(struct fault_rule *), fault_prio_cmp);
	for (i = 0; i < all.n && fault_index_insert(&nidx, all.r[i]) == 0;
	     i++) {
	}
	if (i < all.n) {
		fault_index_clear(&nidx, true);
		free(all.r);
		return -ENOMEM;
	}
	/* Commit: nothing below can fail. */
	for (i = 0; i < fs->rules.n; i++) {
		if (fault_replaced(fs->rules.r[i], seq)) {
			fault_rule_free(fs->rules.r[i]);
		}
	}
	for (i = 0; i < new->n; i++) {
		new->r[i]->id = fs->next_id++;
	}
	new->n = 0;
	fault_index_clear(&fs->idx, true);
	fs->idx = nidx;
	free(fs->rules.r);
	fs->rules = all;
	return 0;
}

int
fault_set_load_file(struct fault_set *fs, const char *path, char *err,
                    size_t errlen)
{
	struct fault_list new = {NULL, 0, 0};
	struct fault_file *grown = NULL;
	char *copy = NULL;
	size_t fi = fs->nfiles;
	uint32_t seq = fs->next_seq;
	int rc = 0;

	for (size_t i = 0; i < fs->nfiles; i++) {
		if (strcmp(fs->files[i].path, path) == 0) {
			fi = i;
			seq = fs->files[i].seq;
		}
	}
	if ((rc = fault_file_read(path, seq, &new, err, errlen)) != 0) {
		free(new.r);
		return rc;
	}
	if (fi == fs->nfiles) {
		copy = strdup(path);
		grown = realloc(fs->files, (fs->nfiles + 1) * sizeof(*grown));
		fs->files = grown != NULL ? grown : fs->files;
		rc = copy == NULL || grown == NULL ? -ENOMEM : 0;
	}
	if (rc == 0 && (rc = fault_set_replace(fs, &new, seq)) == 0 &&
	    copy != NULL) {
		fs->files[fs->nfiles].path = copy;
		fs->files[fs->nfiles++].seq = fs->next_seq++;
		copy = NULL;
	}
	if (rc != 0) {
		fault_err(err, errlen, "%s: out of memory", path);
	}
	free(copy);
	fault_list_free_rules(&new);
	return rc;
}

int
fault_set_reload(struct fault_set *fs, char *err, size_t errlen)
{
	struct fault_list new = {NULL, 0, 0};
	int rc = 0;

	for (size_t i = 0; i < fs->nfiles && rc == 0; i++) {
		rc = fault_file_read(fs->files[i].path, fs->files[i].seq, &new,
		                     err, errlen);
	}
	if (rc == 0 && fs->nfiles > 0 &&
	    (rc = fault_set_replace(fs, &new, 0)) != 0) {
		fault_err(err, errlen, "out of memory");
	}
	fault_list_free_rules(&new);
	return rc;
}

/* Matching: the hot path. */

struct fault_cursor {
	struct fault_rule *const *r;
	size_t n;
};

/* Queue the lists of (NAME, SELECT) for QTYPE and for `*`. */
static size_t
fault_cursors_add(const struct fault_index *idx, struct fault_cursor *cur,
                  const uint8_t *name, size_t len, enum fault_select select,
                  uint16_t qtype)
{
	uint32_t nh = wire_name_hash(name, len);
	const struct fault_key *k = NULL;
	size_t n = 0;

	if (!fault_filter_has(idx, nh)) {
		return 0; /* no rule for NAME (removed keys leave bits set) */
	}
	k = fault_index_find(idx, fault_key_hash(nh, select, qtype), name, len,
	                     select, qtype);
	if (k != NULL) {
		cur[n++] = (struct fault_cursor){k->list.r, k->list.n};
	}
	k = fault_index_find(idx, fault_key_hash(nh, select, FAULT_TYPE_ANY),
	                     name, len, select, FAULT_TYPE_ANY);
	if (k != NULL) {
		cur[n++] = (struct fault_cursor){k->list.r, k->list.n};
	}
	return n;
}

/* Whether R fires for a query that reached it (see fault.h). */
/*
 * The query's source, made a prefix only once a rule with from= is
 * reached: queries that meet no such rule never pay for it.
 */
struct fault_client {
	const struct sockaddr *sa; /* NULL: unknown, from= never matches */
	bool done;
	bool ok;
	struct cidr addr;
};

static bool
fault_from_matches(const struct fault_rule *r, struct fault_client *c)
{
	if (!r->has_from) {
		return true;
	}
	if (!c->done) {
		c->done = true;
		c->ok = c->sa != NULL && cidr_from_sockaddr(c->sa, &c->addr);
	}
	return c->ok && cidr_contains(&r->from, &c->addr);
}

static bool
fault_fires(struct fault_set *fs, struct fault_rule *r, enum query_transport tp,
            int family, struct fault_client *client, unsigned facts)
{
	uint64_t k = 0;

	if ((r->transport >= 0 && r->transport != (int)tp) ||
	    !fault_from_matches(r, client) ||
	    (r->family != 0 && r->family != family) ||
	    (r->answer != 0 && (facts & r->answer) == 0) ||
	    (r->qcase >= 0 && r->qcase != ((facts & FAULT_FACT_MIXED) != 0)) ||
	    (FAULT_IS_DNSSEC(r->action) && (facts & FAULT_FACT_DO) == 0)) {
		return false;
	}
	if (r->action == FAULT_TRUNCATE && tp == QUERY_TCP) {
		return true; /* the tcp= action; the counters are UDP's */
	}
	k = r->seen++;
	if (k < r->after) {
		return false;
	}
	k -= r->after;
	if ((OPT_GIVEN(r, OPT_I_COUNT) && k >= r->count) || k % r->every != 0) {
		return false;
	}
	if (r->p <= 0.0 || (r->p < 1.0 && fault_draw(fs) >= r->p)) {
		return false;
	}
	r->fired++;
	return true;
}

const struct fault_rule *
fault_match(struct fault_set *fs, const uint8_t *name, size_t len,
            uint16_t qtype, enum query_transport tp, int family,
            const struct sockaddr *client, unsigned facts)
{
	struct fault_client fc = {client, false, false, {0}};
	struct fault_cursor cur[FAULT_CURSORS];
	size_t off[WIRE_LABELS_MAX];
	size_t ncur = 0;
	size_t pos = 0;
	size_t best = 0;
	unsigned nl = 0;
	struct fault_rule *r = NULL;

	if (fs == NULL || fs->rules.n == 0) {
		return NULL;
	}
	while (pos < len && name[pos] != 0) {
		if (nl == WIRE_LABELS_MAX - 1 || name[pos] > WIRE_LABEL_MAX) {
			return NULL;
		}
		off[nl++] = pos;
		pos += name[pos] + 1U;
	}
	if (pos >= len) {
		return NULL; /* no root label within LEN */
	}
	off[nl] = pos;
	len = pos + 1;
	if (fs->idx.nexact[nl] > 0) {
		ncur += fault_cursors_add(&fs->idx, cur + ncur, name, len,
		                          FAULT_SELECT_EXACT, qtype);
	}
	/* `*.X` rules at each proper ancestor with D labels, if any. */
	for (unsigned d = 0; d < nl; d++) {
		if (fs->idx.nbelow[d] > 0) {
			pos = off[nl - d];
			ncur += fault_cursors_add(&fs->idx, cur + ncur,
			                          name + pos, len - pos,
			                          FAULT_SELECT_BELOW, qtype);
		}
	}
	if (fs->idx.nall > 0) {
		ncur += fault_cursors_add(&fs->idx, cur + ncur, fault_root, 1,
		                          FAULT_SELECT_ALL, qtype);
	}
	/* Merge the lists by priority: the first rule that fires wins. */
	for (;;) {
		r = NULL;
		for (size_t i = 0; i < ncur; i++) {
			if (cur[i].n > 0 &&
			    (r == NULL || cur[i].r[0]->prio < r->prio)) {
				r = cur[i].r[0];
				best = i;
			}
		}
		if (r == NULL || fault_fires(fs, r, tp, family, &fc, facts)) {
			return r;
		}
		cur[best].r++;
		cur[best].n--;
	}
}
