/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <linux/cache.h>
#include <linux/percpu.h>
#include <linux/types.h>

/*
 * Rings of fixed-size records, one per CPU, each with a single producer
 * (its CPU, bottom halves disabled) and a single consumer (serialised by
 * its caller). The rings know nothing of what they carry and count
 * nothing: reserving says when a ring is full, committing says how many
 * records it holds, and the callers count and decide.
 */
struct synfin_ring {
	u32 head;			/* consumer side */
	u32 tail ____cacheline_aligned_in_smp;	/* producer side */
	void *recs;
};

struct synfin_rings {
	struct synfin_ring __percpu *cpu;
	u32 mask;			/* records a ring, less one */
	u32 rec_size;
};

/* Rings of @size records (a power of two) of @rec_size bytes, per CPU. */
int synfin_rings_init(struct synfin_rings *r, u32 size, u32 rec_size);
void synfin_rings_exit(struct synfin_rings *r);

/* Producer, BH disabled: a free slot on this CPU's ring, or NULL if full. */
void *synfin_ring_reserve(struct synfin_rings *r);
/*
 * Producer: publish the slot synfin_ring_reserve() returned. Returns the
 * records this CPU's ring now holds, that one included.
 */
u32 synfin_ring_commit(struct synfin_rings *r);

/* Consumer: CPU @cpu's ring, what it holds and where. */
static inline struct synfin_ring *synfin_ring_of(struct synfin_rings *r,
						 int cpu)
{
	return per_cpu_ptr(r->cpu, cpu);
}

u32 synfin_ring_tail(struct synfin_ring *ring);

static inline void *synfin_ring_slot(const struct synfin_rings *r,
				     struct synfin_ring *ring, u32 pos)
{
	return (u8 *)ring->recs + (size_t)(pos & r->mask) * r->rec_size;
}

/* Consumer: the record at @pos is done with; its slot is free again. */
void synfin_ring_release(struct synfin_ring *ring, u32 pos);

#endif /* SYNFIN_RING_H */
