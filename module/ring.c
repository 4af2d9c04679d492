// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU event rings: fixed-size records, one producer per CPU (bottom
 * halves disabled), drained by one worker. When a ring is full the newest
 * record is dropped and counted, per CPU and per network namespace, so the
 * drain can tell each namespace's listeners exactly how many they lost.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "main.h"
#include "netlink.h"
#include "ring.h"

struct synfin_ring __percpu *synfin_rings;
static u32 ring_mask;
static u32 ring_kick_at;	/* records that drain a ring at once; 0: never */

int synfin_ring_init(unsigned int size)
{
	int cpu;

	ring_mask = size - 1;
	ring_kick_at = synfin_drain_watermark ?
		       max(1U, size * synfin_drain_watermark / 100) : 0;
	synfin_rings = alloc_percpu(struct synfin_ring);
	if (!synfin_rings)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct synfin_ring *ring = per_cpu_ptr(synfin_rings, cpu);

		ring->recs = vmalloc_node(array_size(size, sizeof(*ring->recs)),
					  cpu_to_node(cpu));
		if (!ring->recs)
			goto fail;
	}
	return 0;

fail:
	synfin_ring_exit();
	return -ENOMEM;
}

void synfin_ring_exit(void)
{
	int cpu;

	if (!synfin_rings)
		return;
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(synfin_rings, cpu)->recs);
	free_percpu(synfin_rings);
	synfin_rings = NULL;
}

struct synfin_rec *synfin_ring_reserve(struct net *net)
{
	struct synfin_ring *ring = this_cpu_ptr(synfin_rings);
	/* Pairs with the release in synfin_ring_release(). */
	u32 head = smp_load_acquire(&ring->head);

	if (ring->tail - head > ring_mask) {
		synfin_stat_inc(events_dropped);
		this_cpu_inc(*synfin_pernet(net)->dropped);
		synfin_drain_kick();
		return NULL;
	}
	return &ring->recs[ring->tail & ring_mask];
}

void synfin_ring_commit(void)
{
	struct synfin_ring *ring = this_cpu_ptr(synfin_rings);

	u32 used;

	/* Pairs with the acquire in synfin_ring_tail(). */
	smp_store_release(&ring->tail, ring->tail + 1);
	synfin_stat_inc(events_written);
	/*
	 * Batching waits drain_delay_ms, unless the ring is drain_watermark
	 * full: only this CPU adds, one at a time, so the count passes that
	 * mark on its way up and this kicks once per filling.
	 */
	used = ring->tail - READ_ONCE(ring->head);
	if (used == ring_kick_at)
		synfin_drain_kick_now();
	else
		synfin_drain_kick();
}

u32 synfin_ring_tail(struct synfin_ring *ring)
{
	/* Pairs with the release in synfin_ring_commit(): records are whole. */
	return smp_load_acquire(&ring->tail);
}

struct synfin_rec *synfin_ring_slot(struct synfin_ring *ring, u32 pos)
{
	return &ring->recs[pos & ring_mask];
}

void synfin_ring_release(struct synfin_ring *ring, u32 pos)
{
	/* Pairs with the acquire in synfin_ring_reserve(): slot is free. */
	smp_store_release(&ring->head, pos + 1);
}
