// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU rings of fixed-size records: one producer per CPU (bottom
 * halves disabled), one consumer. When a ring is full the producer is
 * told so (NULL) and counts the loss itself; when it commits, it is told
 * how full the ring is and decides itself whether to wake the consumer.
 */
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "ring.h"

int synfin_rings_init(struct synfin_rings *r, u32 size, u32 rec_size)
{
	int cpu;

	if (!is_power_of_2(size) || !rec_size)
		return -EINVAL;
	r->mask = size - 1;
	r->rec_size = rec_size;
	r->cpu = alloc_percpu(struct synfin_ring);
	if (!r->cpu)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct synfin_ring *ring = per_cpu_ptr(r->cpu, cpu);

		ring->recs = vmalloc_node(array_size(size, rec_size),
					  cpu_to_node(cpu));
		if (!ring->recs)
			goto err_free;
	}
	return 0;

err_free:
	synfin_rings_exit(r);
	return -ENOMEM;
}

void synfin_rings_exit(struct synfin_rings *r)
{
	int cpu;

	if (!r->cpu)
		return;
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(r->cpu, cpu)->recs);
	free_percpu(r->cpu);
	r->cpu = NULL;
}

void *synfin_ring_reserve(struct synfin_rings *r)
{
	struct synfin_ring *ring = this_cpu_ptr(r->cpu);
	/* Pairs with the release in synfin_ring_release(). */
	u32 head = smp_load_acquire(&ring->head);

	if (ring->tail - head > r->mask)
		return NULL;
	return synfin_ring_slot(r, ring, ring->tail);
}

u32 synfin_ring_commit(struct synfin_rings *r)
{
	struct synfin_ring *ring = this_cpu_ptr(r->cpu);

	/* Pairs with the acquire in synfin_ring_tail(). */
	smp_store_release(&ring->tail, ring->tail + 1);
	return ring->tail - READ_ONCE(ring->head);
}

u32 synfin_ring_tail(struct synfin_ring *ring)
{
	/* Pairs with the release in synfin_ring_commit(): records are whole. */
	return smp_load_acquire(&ring->tail);
}

void synfin_ring_release(struct synfin_ring *ring, u32 pos)
{
	/* Pairs with the acquire in synfin_ring_reserve(): slot is free. */
	smp_store_release(&ring->head, pos + 1);
}
