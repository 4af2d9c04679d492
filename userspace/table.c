// SPDX-License-Identifier: GPL-2.0
/*
 * synfin reader: a bounded table of connections for synfin read (the
 * entries are struct sf_table_entry), evicting as the module does.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct sf_table {
	struct sf_table_entry *e;
	uint32_t *heads;		/* per bucket: entry index + 1 */
	uint32_t nbuckets, cap, count;
	/* per eviction rank: least and most recently seen */
	uint32_t first[SF_RANKS], last[SF_RANKS];
	uint32_t free_head;		/* unused entries, chained by hnext */
	void *ctx;
	struct sf_table_counts counts;
};

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Both directions of a flow hash alike: order the endpoints first. */
static uint32_t hash_pkt(const struct synfin_packet *p)
{
	int cmp = memcmp(p->saddr.b, p->daddr.b, 16);
	bool fwd = cmp < 0 || (cmp == 0 && p->sport <= p->dport);
	uint16_t lo = fwd ? p->sport : p->dport, hi = fwd ? p->dport : p->sport;
	uint8_t ports[4] = {
		(uint8_t)(lo >> 8), (uint8_t)lo, (uint8_t)(hi >> 8), (uint8_t)hi,
	};
	uint32_t h = 2166136261u ^ p->family;

	h = fnv(h, fwd ? p->saddr.b : p->daddr.b, 16);
	h = fnv(h, fwd ? p->daddr.b : p->saddr.b, 16);
	return fnv(h, ports, 4);
}

struct sf_table *sf_table_new(uint32_t capacity, void *ctx)
{
	struct sf_table *t;
	uint32_t i;

	if (!capacity || capacity > (1u << 24))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = capacity;
	t->ctx = ctx;
	t->nbuckets = 1;
	while (t->nbuckets < capacity)
		t->nbuckets <<= 1;
	t->e = calloc(capacity, sizeof(*t->e));
	t->heads = calloc(t->nbuckets, sizeof(*t->heads));
	if (!t->e || !t->heads) {
		sf_table_free(t);
		return NULL;
	}
	for (i = 0; i < capacity; i++)
		t->e[i].hnext = i + 2 <= capacity ? i + 2 : 0;
	t->free_head = 1;
	return t;
}

void sf_table_free(struct sf_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->heads);
	free(t);
}

uint32_t sf_table_count(const struct sf_table *t)
{
	return t->count;
}

const struct sf_table_counts *sf_table_counts(const struct sf_table *t)
{
	return &t->counts;
}

struct sf_table_entry *sf_table_slot(struct sf_table *t, uint32_t i)
{
	return i < t->cap && t->e[i].used ? &t->e[i] : NULL;
}

uint32_t sf_table_capacity(const struct sf_table *t)
{
	return t->cap;
}

static struct sf_table_entry *at(struct sf_table *t, uint32_t idx)
{
	return &t->e[idx - 1];
}

static void rank_unlink(struct sf_table *t, uint32_t idx)
{
	struct sf_table_entry *e = at(t, idx);

	if (e->prev)
		at(t, e->prev)->next = e->next;
	else
		t->first[e->rank] = e->next;
	if (e->next)
		at(t, e->next)->prev = e->prev;
	else
		t->last[e->rank] = e->prev;
	e->prev = e->next = 0;
}

/* Put @idx last in the list of its rank as it stands: just seen. */
static void rank_append(struct sf_table *t, uint32_t idx)
{
	struct sf_table_entry *e = at(t, idx);

	/* One owner, the host: every unfinished handshake is its own. */
	e->rank = (uint8_t)synfin_track_evict_rank(&e->c, true);
	e->next = 0;
	e->prev = t->last[e->rank];
	if (e->prev)
		at(t, e->prev)->next = idx;
	else
		t->first[e->rank] = idx;
	t->last[e->rank] = idx;
}

static void unhash(struct sf_table *t, uint32_t idx)
{
	uint32_t *pp = &t->heads[at(t, idx)->bucket];

	while (*pp && *pp != idx)
		pp = &at(t, *pp)->hnext;
	if (*pp)
		*pp = at(t, idx)->hnext;
}

void sf_table_remove(struct sf_table *t, struct sf_table_entry *e)
{
	uint32_t idx = (uint32_t)(e - t->e) + 1;

	unhash(t, idx);
	rank_unlink(t, idx);
	memset(e, 0, sizeof(*e));
	e->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
}

/*
 * Make room by the module's rules: the connection ranked first to go,
 * and of those the one idle longest, ends (evicted) and is forgotten.
 */
static bool evict(struct sf_table *t)
{
	int rank;

	for (rank = SF_RANKS - 1; rank > SYNFIN_EVICT_NEVER; rank--) {
		struct sf_table_entry *victim;

		if (!t->first[rank])
			continue;
		victim = at(t, t->first[rank]);
		synfin_track_end(t->ctx, &victim->c, SYNFIN_END_EVICTED);
		sf_table_remove(t, victim);
		t->counts.evicted++;
		return true;
	}
	return false;
}

static struct sf_table_entry *find(struct sf_table *t, uint32_t b,
				   const struct synfin_packet *p, bool *from_a)
{
	uint32_t idx;

	for (idx = t->heads[b]; idx; idx = at(t, idx)->hnext)
		if (synfin_track_match(&at(t, idx)->c, p, from_a))
			return at(t, idx);
	return NULL;
}

struct sf_table_entry *sf_table_segment(struct sf_table *t,
					const struct synfin_packet *p,
					uint64_t ts)
{
	uint32_t b = hash_pkt(p) & (t->nbuckets - 1);
	struct synfin_track_limits lim = {
		.max_flows = t->cap, .owner_share = 100, .host_reserve = 0,
	};
	struct synfin_track_fill fill = { .total = t->count };
	struct sf_table_entry *e;
	uint32_t idx;
	bool from_a;

	e = find(t, b, p, &from_a);
	if (e) {
		idx = (uint32_t)(e - t->e) + 1;
		rank_unlink(t, idx);
		synfin_track_segment(t->ctx, &e->c, p, from_a);
	} else {
		if (synfin_track_admit(&fill, &lim) != SYNFIN_ADMIT &&
		    !evict(t)) {
			t->counts.segments_untracked++;
			if (synfin_seg_is_syn(&p->seg))
				t->counts.flows_untracked++;
			return NULL;
		}
		idx = t->free_head;
		e = at(t, idx);
		t->free_head = e->hnext;
		memset(e, 0, sizeof(*e));
		e->used = true;
		e->bucket = b;
		e->hnext = t->heads[b];
		t->heads[b] = idx;
		t->count++;
		synfin_track_tuple(&e->c, p);
		synfin_track_first(t->ctx, &e->c, p);
	}
	e->last_ts = ts;
	rank_append(t, idx);
	return e;
}
