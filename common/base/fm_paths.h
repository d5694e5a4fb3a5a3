/* fm_paths.h — where a program finds its data folders (plan catalogue, SQL migrations, places, event schemas)
 * without the source tree: next to the installed program, or, for a program in its build tree, in the source.
 */
#ifndef FM_PATHS_H
#define FM_PATHS_H

#include <stddef.h>

#include "fm_error.h"

/* The file CMake writes beside every program it builds: one line, the source tree. An installed program has
 * none (nothing installs it), so only a program in its build tree ever reads the source tree. */
#define FM_PATHS_BUILD_TREE_MARKER "famins-build-tree"

/* The data folders, by the name they have under <prefix>/share/famins/ ("plans", "sql", "places", "schemas").
 * Returns the folder of NAME in the source tree ("schemas/plans"), or NULL for an unknown name. */
const char *fm_paths_source_subdir(const char *name);

/* Resolves data folder NAME for the program whose executable is exe_path (absolute, symbolic links resolved):
 *   1. <exe dir>/<bin-to-data>/NAME, written without "..", when that folder exists: an installed program
 *      (<bin-to-data> comes from CMake's GNUInstallDirs, "../share/famins" by default);
 *   2. else <source>/<fm_paths_source_subdir(NAME)> when <exe dir>/famins-build-tree names a source tree.
 * Writes the folder into out (cap bytes) and returns FM_OK when it exists. FM_ENOTFOUND when it does not: out
 * then holds the folder looked in last (the source tree's when a marker exists, else the installed one), and
 * err names every folder looked in. FM_EINVAL: an unknown NAME, a relative exe_path, or a path longer than
 * cap (out is then empty). */
fm_status fm_paths_data_dir_for(const char *exe_path, const char *name, char *out, size_t cap, fm_error *err);

/* The same for the running program (its executable read from /proc/self/exe). FM_EIO when that cannot be read
 * (out is then empty). */
fm_status fm_paths_data_dir(const char *name, char *out, size_t cap, fm_error *err);

/* One line for --help: where NAME is looked for by default ("<bin>/../share/famins/plans, in a build tree the
 * source's schemas/plans"). Never NULL; an unknown NAME gives the name itself. Writes into buf (cap bytes).
 */
const char *fm_paths_describe(const char *name, char *buf, size_t cap);

#endif
