// SPDX-License-Identifier: GPL-2.0
/* synfin reader: a bounded flow table with LRU eviction. */
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct sf_table {
	struct sf_flow_entry *e;
	uint32_t *heads;		/* per bucket: entry index + 1 */
	uint32_t nbuckets, cap, count;
	uint32_t lru_head, lru_tail;	/* most and least recently used */
	uint32_t free_head;		/* unused entries, chained by hnext */
	uint64_t next_conn;
	uint64_t evicted;
};

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Both directions of a flow hash alike: order the endpoints first. */
static uint32_t hash_pkt(const struct sf_packet *p)
{
	int cmp = memcmp(p->saddr, p->daddr, 16);
	bool fwd = cmp < 0 || (cmp == 0 && p->sport <= p->dport);
	uint8_t ports[4];
	uint32_t h = 2166136261u ^ p->family;

	h = fnv(h, fwd ? p->saddr : p->daddr, 16);
	h = fnv(h, fwd ? p->daddr : p->saddr, 16);
	ports[0] = (uint8_t)((fwd ? p->sport : p->dport) >> 8);
	ports[1] = (uint8_t)(fwd ? p->sport : p->dport);
	ports[2] = (uint8_t)((fwd ? p->dport : p->sport) >> 8);
	ports[3] = (uint8_t)(fwd ? p->dport : p->sport);
	return fnv(h, ports, 4);
}

static bool match(const struct sf_flow_entry *e, const struct sf_packet *p,
		  enum synfin_side *from)
{
	if (e->family != p->family)
		return false;
	if (e->cport == p->sport && e->sport == p->dport &&
	    !memcmp(e->caddr, p->saddr, 16) && !memcmp(e->saddr, p->daddr, 16)) {
		*from = SYNFIN_CLIENT;
		return true;
	}
	if (e->sport == p->sport && e->cport == p->dport &&
	    !memcmp(e->saddr, p->saddr, 16) && !memcmp(e->caddr, p->daddr, 16)) {
		*from = SYNFIN_SERVER;
		return true;
	}
	return false;
}

struct sf_table *sf_table_new(uint32_t capacity)
{
	struct sf_table *t;
	uint32_t i;

	if (!capacity || capacity > (1u << 24))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = capacity;
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

uint64_t sf_table_evicted(const struct sf_table *t)
{
	return t->evicted;
}

struct sf_flow_entry *sf_table_slot(struct sf_table *t, uint32_t i)
{
	/* Connection ids start at 1; a free slot is zeroed. */
	return i < t->cap && t->e[i].conn ? &t->e[i] : NULL;
}

uint32_t sf_table_capacity(const struct sf_table *t)
{
	return t->cap;
}

static void lru_unlink(struct sf_table *t, uint32_t idx)
{
	struct sf_flow_entry *e = &t->e[idx - 1];

	if (e->lru_prev)
		t->e[e->lru_prev - 1].lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next)
		t->e[e->lru_next - 1].lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = 0;
}

static void lru_front(struct sf_table *t, uint32_t idx)
{
	struct sf_flow_entry *e = &t->e[idx - 1];

	e->lru_prev = 0;
	e->lru_next = t->lru_head;
	if (t->lru_head)
		t->e[t->lru_head - 1].lru_prev = idx;
	t->lru_head = idx;
	if (!t->lru_tail)
		t->lru_tail = idx;
}

static void unhash(struct sf_table *t, uint32_t idx)
{
	uint32_t *pp = &t->heads[t->e[idx - 1].bucket];

	while (*pp && *pp != idx)
		pp = &t->e[*pp - 1].hnext;
	if (*pp)
		*pp = t->e[idx - 1].hnext;
}

void sf_table_remove(struct sf_table *t, struct sf_flow_entry *e)
{
	uint32_t idx = (uint32_t)(e - t->e) + 1;

	unhash(t, idx);
	lru_unlink(t, idx);
	memset(e, 0, sizeof(*e));
	e->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
}

static void start(struct sf_table *t, struct sf_flow_entry *e,
		  const struct sf_packet *p, uint64_t ts)
{
	enum synfin_side from = synfin_fsm_init(&e->fsm, &p->seg);
	bool client = from == SYNFIN_CLIENT;

	e->conn = ++t->next_conn;
	e->first_ts = ts;
	e->next_index = 0;
	e->family = p->family;
	memcpy(e->caddr, client ? p->saddr : p->daddr, 16);
	memcpy(e->saddr, client ? p->daddr : p->saddr, 16);
	e->cport = client ? p->sport : p->dport;
	e->sport = client ? p->dport : p->sport;
}

struct sf_flow_entry *sf_table_segment(struct sf_table *t,
				       const struct sf_packet *p, uint64_t ts,
				       enum synfin_side *from,
				       struct synfin_fsm_result *res,
				       unsigned int *what,
				       struct sf_flow_entry *old)
{
	uint32_t b = hash_pkt(p) & (t->nbuckets - 1);
	struct sf_flow_entry *e = NULL;
	uint32_t idx;

	*what = 0;
	for (idx = t->heads[b]; idx; idx = t->e[idx - 1].hnext) {
		if (match(&t->e[idx - 1], p, from)) {
			e = &t->e[idx - 1];
			break;
		}
	}
	if (!e) {
		if (!t->free_head) {
			/* Full: the least recently used flow makes room. */
			struct sf_flow_entry *victim = &t->e[t->lru_tail - 1];

			if (old)
				*old = *victim;
			sf_table_remove(t, victim);
			t->evicted++;
			*what |= SF_TBL_EVICTED;
		}
		idx = t->free_head;
		e = &t->e[idx - 1];
		t->free_head = e->hnext;
		memset(e, 0, sizeof(*e));
		e->bucket = b;
		e->hnext = t->heads[b];
		t->heads[b] = idx;
		t->count++;
		start(t, e, p, ts);
		match(e, p, from);
		*what |= SF_TBL_CREATED;
	} else {
		lru_unlink(t, idx);
		if (synfin_fsm_restarts(&e->fsm, &p->seg)) {
			/* A new connection on an ended one's 4-tuple. */
			if (old)
				*old = *e;
			start(t, e, p, ts);
			*from = SYNFIN_CLIENT;
			*what |= SF_TBL_RESTARTED;
		}
	}
	lru_front(t, idx);
	synfin_fsm_segment(&e->fsm, *from, &p->seg, res);
	e->last_ts = ts;
	return e;
}
