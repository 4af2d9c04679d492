// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU event rings: fixed-size records, one producer per CPU (bottom
 * halves disabled), drained by one worker. When a ring is full the
 * producer is told so (NULL) and counts the loss itself.
 */
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "ring.h"

static unsigned int ring_size = 4096;
static unsigned int drain_watermark = 50;

static int ring_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < 16 || v > (1U << 20) || !is_power_of_2(v)) {
		pr_err("ring_size must be a power of two from 16 to 1048576, not %u\n",
		       v);
		return -EINVAL;
	}
	ring_size = v;
	return 0;
}

static const struct kernel_param_ops ring_size_ops = {
	.set = ring_size_set,
	.get = param_get_uint,
};

module_param_cb(ring_size, &ring_size_ops, &ring_size, 0444);
__MODULE_PARM_TYPE(ring_size, "uint");
MODULE_PARM_DESC(ring_size,
		 "Event records per CPU ring, a power of two from 16 to 1048576 (default 4096)");

static int watermark_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v > 100) {
		pr_err("drain_watermark is a percentage, 0 to 100, not %u\n", v);
		return -EINVAL;
	}
	drain_watermark = v;
	return 0;
}

static const struct kernel_param_ops watermark_ops = {
	.set = watermark_set,
	.get = param_get_uint,
};

module_param_cb(drain_watermark, &watermark_ops, &drain_watermark, 0444);
__MODULE_PARM_TYPE(drain_watermark, "uint");
MODULE_PARM_DESC(drain_watermark,
		 "Percent of ring_size at which a ring is drained at once, without waiting for drain_delay_ms (0: never; default 50)");

struct synfin_ring __percpu *synfin_rings;
static u32 ring_mask;
static u32 ring_kick_at;	/* records that drain a ring at once; 0: never */

int synfin_ring_init(void)
{
	int cpu;

	ring_mask = ring_size - 1;
	ring_kick_at = drain_watermark ?
		       max(1U, ring_size * drain_watermark / 100) : 0;
	synfin_rings = alloc_percpu(struct synfin_ring);
	if (!synfin_rings)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct synfin_ring *ring = per_cpu_ptr(synfin_rings, cpu);

		ring->recs = vmalloc_node(array_size(ring_size,
						     sizeof(*ring->recs)),
					  cpu_to_node(cpu));
		if (!ring->recs)
			goto fail;
	}
	pr_debug("rings of %u records, drained at %u\n", ring_size,
		 ring_kick_at);
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

struct synfin_rec *synfin_ring_reserve(void)
{
	struct synfin_ring *ring = this_cpu_ptr(synfin_rings);
	/* Pairs with the release in synfin_ring_release(). */
	u32 head = smp_load_acquire(&ring->head);

	if (ring->tail - head > ring_mask)
		return NULL;
	return &ring->recs[ring->tail & ring_mask];
}

bool synfin_ring_commit(void)
{
	struct synfin_ring *ring = this_cpu_ptr(synfin_rings);

	/* Pairs with the acquire in synfin_ring_tail(). */
	smp_store_release(&ring->tail, ring->tail + 1);
	/*
	 * Only this CPU adds, one at a time, so the count passes the mark
	 * on its way up: true once per filling.
	 */
	return ring->tail - READ_ONCE(ring->head) == ring_kick_at;
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
