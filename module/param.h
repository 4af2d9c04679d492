/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYNFIN_PARAM_H
#define SYNFIN_PARAM_H

#include <linux/moduleparam.h>

/*
 * An unsigned module parameter checked when it is written, at load time
 * and under /sys/module/synfin/parameters/ alike: out of [min, max] it is
 * refused with -EINVAL and a message saying why. @changed, if set, runs
 * after an accepted write, under the module's parameter lock. Each
 * parameter is declared in the file that reads it.
 */
struct synfin_uint_param {
	unsigned int *val;
	unsigned int min;
	unsigned int max;
	void (*changed)(void);
};

extern const struct kernel_param_ops synfin_uint_param_ops;

#endif /* SYNFIN_PARAM_H */
