/*
 * The history index (.git/delegit-history): for each commit, its parents
 * and the paths it changed against its first parent. A commit never
 * changes, so an entry never goes stale: the index is derived purely from
 * the commits, and only commits it has not seen are ever read again.
 *
 * It grows in blocks: each update walks from HEAD, hiding the tips of
 * earlier blocks (everything reachable from a tip is in the index), and
 * appends one block with the new commits in walk order (children before
 * parents). Newer blocks first, each in its order, is then an order in
 * which every commit comes before its parents. A query keeps only the
 * commits reachable from HEAD (a reset or a checkout moves HEAD back; the
 * commits past it stay indexed for when it moves forward again).
 *
 * Format: MAGIC, then blocks: "blk\n" or "bld\n", u32 record count, u64
 * byte length, the tip's id, the records, "end\n". "bld" says the block's
 * tip reaches every record of the file up to the block's end: when HEAD is
 * the newest block's tip and that block says so, a query needs no walk
 * through the parents (a third of `log ID` at 300,000 commits). An update
 * learns it from the block before (its tip said so, and HEAD descends from
 * that tip), or else from one such walk. Blocks written before "bld"
 * existed say "blk". A record: id, u32 commit time, u8
 * parent count and the parents' ids, u32 path count, the paths with NULs.
 * A damaged or cut block ends the file as far as readers go; the next
 * update writes the file anew.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/idtable.h"
#include "sync_internal.h"

#define MAGIC "delegit history 1\n"
#define MAX_TIPS 16

typedef struct {
	const unsigned char *id;
	uint32_t time;
	unsigned nparents;
	const unsigned char *parents;
	uint32_t npaths;
	const char *paths; /* npaths NUL-terminated strings */
} record;

struct dlg_hindex {
	char *map;	  /* the file, mapped; NULL: as in data */
	size_t mapsize;
	dlg_buf data;	  /* the file as an update writes it */
	record *recs;	  /* in file order */
	size_t nrecs;
	size_t *block_start; /* index into recs of each block */
	size_t nblocks;
	const unsigned char **tips;
	unsigned char *reaches_all; /* each block: "bld" */
	dlg_idtable ids;  /* recs by commit id, built when first needed */
	size_t good_size; /* bytes that parsed */
};

static const unsigned char *rec_id(const void *recs, size_t pos)
{
	return ((const record *)recs)[pos].id;
}

/* The record of a commit; the table of ids is built when first needed. */
static const record *find(dlg_hindex *x, const unsigned char *id)
{
	size_t i;

	if (!x->ids.slot) {
		dlg_idtable_init(&x->ids, x->nrecs);
		for (i = 0; i < x->nrecs; i++)
			dlg_idtable_add(&x->ids, i, rec_id, x->recs);
	}
	i = dlg_idtable_find(&x->ids, id, rec_id, x->recs);
	return i == DLG_IDTABLE_NONE ? NULL : &x->recs[i];
}

typedef struct {
	const char *p, *end;
} cur;

static int get(cur *c, void *dst, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	memcpy(dst, c->p, n);
	c->p += n;
	return 0;
}

static int parse_record(cur *c, record *r)
{
	uint8_t np = 0;
	uint32_t i;

	if ((size_t)(c->end - c->p) < 20 + 4 + 1)
		return -1;
	r->id = (const unsigned char *)c->p;
	c->p += 20;
	get(c, &r->time, 4);
	get(c, &np, 1);
	r->nparents = np;
	if ((size_t)(c->end - c->p) < 20u * np)
		return -1;
	r->parents = (const unsigned char *)c->p;
	c->p += 20u * np;
	if (get(c, &r->npaths, 4) < 0)
		return -1;
	r->paths = c->p;
	for (i = 0; i < r->npaths; i++) {
		const char *nul = memchr(c->p, '\0', (size_t)(c->end - c->p));

		if (!nul)
			return -1;
		c->p = nul + 1;
	}
	return 0;
}

static const char *bytes(const dlg_hindex *x)
{
	return x->map ? x->map : x->data.ptr;
}

static size_t nbytes(const dlg_hindex *x)
{
	return x->map ? x->mapsize : x->data.size;
}

static void parse(dlg_hindex *x)
{
	cur c = { bytes(x) + strlen(MAGIC), bytes(x) + nbytes(x) };
	size_t alloc = 0;

	x->good_size = strlen(MAGIC);
	while ((size_t)(c.end - c.p) >= 4 + 4 + 8 + 20 &&
	       (!memcmp(c.p, "blk\n", 4) || !memcmp(c.p, "bld\n", 4))) {
		int reaches_all = c.p[2] == 'd';
		uint32_t n = 0, i;
		uint64_t len = 0;
		const char *start;
		cur b;

		c.p += 4;
		get(&c, &n, 4);
		get(&c, &len, 8);
		if (len > (uint64_t)(c.end - c.p) || len < 20 + 4)
			break;
		b.p = c.p + 20;
		b.end = c.p + len - 4;
		start = c.p;
		if (memcmp(b.end, "end\n", 4))
			break;
		if (x->nrecs + n > alloc) {
			alloc = (x->nrecs + n) * 2;
			x->recs = realloc(x->recs, alloc * sizeof(*x->recs));
			if (!x->recs)
				abort();
		}
		for (i = 0; i < n; i++)
			if (parse_record(&b, &x->recs[x->nrecs + i]) < 0)
				break;
		if (i < n || b.p != b.end)
			break;
		x->block_start = realloc(x->block_start, (x->nblocks + 1) *
							 sizeof(size_t));
		x->tips = realloc(x->tips, (x->nblocks + 1) * sizeof(*x->tips));
		x->reaches_all = realloc(x->reaches_all, x->nblocks + 1);
		if (!x->block_start || !x->tips || !x->reaches_all)
			abort();
		x->reaches_all[x->nblocks] = (unsigned char)reaches_all;
		x->block_start[x->nblocks] = x->nrecs;
		x->tips[x->nblocks++] = (const unsigned char *)start;
		x->nrecs += n;
		c.p = start + len;
		x->good_size = (size_t)(c.p - bytes(x));
	}
}

static void path_of(dlg_buf *out, dlg_repo *r)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%sdelegit-history", git_repository_path(r->git));
}

static void unmap(dlg_hindex *x)
{
	if (x->map)
		munmap(x->map, x->mapsize);
	x->map = NULL;
}

/* Mapped, not read: 30 MB at 300,000 commits, and `log ID` reads only
 * a few of its records' paths. */
static void load(dlg_hindex *x, dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;

	path_of(&path, r);
	unmap(x);
	dlg_buf_clear(&x->data);
	x->map = dlg_path_map(path.ptr, &x->mapsize);
	dlg_buf_dispose(&path);
	if (nbytes(x) < strlen(MAGIC) ||
	    memcmp(bytes(x), MAGIC, strlen(MAGIC))) {
		unmap(x);
		dlg_buf_puts(&x->data, MAGIC);
	}
	parse(x);
}

/* Append the block the data ends with, or (damaged file, or one that
 * changed under us) write the data anew. */
static int write_file(const dlg_hindex *x, dlg_repo *r, size_t block_size,
		      int anew)
{
	dlg_buf path = DLG_BUF_INIT, tmp = DLG_BUF_INIT;
	size_t before = x->data.size - block_size;
	struct stat st;
	int error = -1, fd;

	path_of(&path, r);
	if (!anew && before > strlen(MAGIC) &&
	    (fd = open(path.ptr, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0) {
		/* A reader sees the block whole or not at all: its length
		 * and end mark are checked. */
		if (fstat(fd, &st) == 0 && (size_t)st.st_size == before)
			error = write(fd, x->data.ptr + before, block_size) ==
					(ssize_t)block_size ? 0 : -1;
		close(fd);
		if (!error)
			goto done;
	}
	dlg_buf_printf(&tmp, "%s.%ld.tmp", path.ptr, (long)getpid());
	error = dlg_path_write(tmp.ptr, x->data.ptr, x->data.size);
	if (!error && rename(tmp.ptr, path.ptr) < 0)
		error = -1;
	if (error)
		unlink(tmp.ptr);
done:
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&path);
	return error;
}

static int is_newest_tip(const dlg_hindex *x, const git_oid *id)
{
	return x->nblocks && !memcmp(x->tips[x->nblocks - 1], id->id, 20);
}

/* Mark what the records from start reach, through the parents the index
 * knows; returns how many were newly marked. */
static size_t walk(dlg_hindex *x, unsigned char *seen, size_t *stack,
		   const record *start)
{
	size_t top = 0, n = 0;

	if (!start || seen[start - x->recs])
		return 0;
	seen[start - x->recs] = 1;
	stack[top++] = (size_t)(start - x->recs);
	n++;
	while (top) {
		const record *c = &x->recs[stack[--top]];
		unsigned k;

		for (k = 0; k < c->nparents; k++) {
			const record *p = find(x, c->parents + 20 * k);

			if (p && !seen[p - x->recs]) {
				seen[p - x->recs] = 1;
				stack[top++] = (size_t)(p - x->recs);
				n++;
			}
		}
	}
	return n;
}

/* Whether a new block's tip (head, whose new commits have these parents)
 * reaches every record indexed before it. */
static int reaches_indexed(dlg_hindex *x, dlg_repo *r, const git_oid *head,
			   const unsigned char *parents, size_t nparents)
{
	unsigned char *seen;
	size_t *stack, n = 0, i;
	git_oid tip;

	/* Usually: the newest tip reached everything, and HEAD has moved
	 * on from it. */
	git_oid_fromraw(&tip, x->tips[x->nblocks - 1]);
	if (x->reaches_all[x->nblocks - 1] &&
	    git_graph_descendant_of(r->git, head, &tip) == 1)
		return 1;
	git_error_clear(); /* a tip gone (a gc) only costs the walk */
	seen = calloc(x->nrecs + 1, 1);
	stack = malloc((x->nrecs + 1) * sizeof(*stack));
	if (!seen || !stack)
		abort();
	for (i = 0; i < nparents; i++)
		n += walk(x, seen, stack, find(x, parents + 20 * i));
	free(seen);
	free(stack);
	return n == x->nrecs;
}

/* The new block of n records after what parsed (a damaged tail is
 * dropped), written, then everything parsed again from memory. */
static void append_block(dlg_hindex *x, dlg_repo *r, const git_oid *head,
			 const dlg_buf *recs, uint32_t n, int reaches)
{
	uint64_t len = 20 + recs->size + 4;
	int anew = x->good_size != nbytes(x);
	size_t before;

	if (x->map) { /* copy what stays, once */
		dlg_buf_clear(&x->data);
		dlg_buf_reserve(&x->data, x->good_size + 16 + len + 4);
		dlg_buf_put(&x->data, x->map, x->good_size);
	}
	x->data.size = x->good_size;
	before = x->data.size;
	dlg_buf_put(&x->data, reaches ? "bld\n" : "blk\n", 4);
	dlg_buf_put(&x->data, (const char *)&n, 4);
	dlg_buf_put(&x->data, (const char *)&len, 8);
	dlg_buf_put(&x->data, (const char *)head->id, 20);
	dlg_buf_put(&x->data, recs->ptr, recs->size);
	dlg_buf_put(&x->data, "end\n", 4);
	/* An index that cannot be written only costs time. */
	write_file(x, r, x->data.size - before, anew);
	unmap(x); /* the records are parsed again, from data */
	x->nrecs = x->nblocks = 0;
	dlg_idtable_dispose(&x->ids);
	parse(x);
}

/* The commits of a new block, read: each one's id, tree, its first
 * parent's tree (zero: none), time, and parents (at parents_at in the
 * parents' ids). */
typedef struct {
	git_oid *id, *tree, *parent_tree;
	uint32_t *time;
	uint8_t *nparents;
	size_t *parents_at;
	size_t n, cap;
} commits;

static void commits_grow(commits *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? 2 * c->cap : 1024;
	c->id = realloc(c->id, c->cap * sizeof(*c->id));
	c->tree = realloc(c->tree, c->cap * sizeof(*c->tree));
	c->parent_tree = realloc(c->parent_tree,
				 c->cap * sizeof(*c->parent_tree));
	c->time = realloc(c->time, c->cap * sizeof(*c->time));
	c->nparents = realloc(c->nparents, c->cap);
	c->parents_at = realloc(c->parents_at,
				c->cap * sizeof(*c->parents_at));
	if (!c->id || !c->tree || !c->parent_tree || !c->time ||
	    !c->nparents || !c->parents_at)
		abort();
}

static void commits_dispose(commits *c)
{
	free(c->id);
	free(c->tree);
	free(c->parent_tree);
	free(c->time);
	free(c->nparents);
	free(c->parents_at);
}

static const unsigned char *commit_key(const void *ids, size_t pos)
{
	return ((const git_oid *)ids)[pos].id;
}

/* Each commit's tree, time and parents; its first parent's tree from the
 * commits read here, or else (a commit indexed before) read. */
static int read_commits(commits *c, dlg_buf *parents, dlg_repo *r)
{
	dlg_idtable ids;
	size_t i, p;
	unsigned k;

	for (i = 0; i < c->n; i++) {
		git_commit *gc = NULL;

		if (git_commit_lookup(&gc, r->git, &c->id[i]) < 0)
			return dlg_sync__error("cannot read a commit");
		git_oid_cpy(&c->tree[i], git_commit_tree_id(gc));
		c->time[i] = (uint32_t)git_commit_time(gc);
		c->nparents[i] = (uint8_t)(git_commit_parentcount(gc) > 255
					   ? 255 : git_commit_parentcount(gc));
		c->parents_at[i] = parents->size;
		for (k = 0; k < c->nparents[i]; k++)
			dlg_buf_put(parents, (const char *)
				    git_commit_parent_id(gc, k)->id, 20);
		git_commit_free(gc);
	}
	dlg_idtable_init(&ids, c->n);
	for (i = 0; i < c->n; i++)
		dlg_idtable_add(&ids, i, commit_key, c->id);
	for (i = 0; i < c->n; i++) {
		git_commit *parent = NULL;
		git_oid first;

		memset(&c->parent_tree[i], 0, sizeof(c->parent_tree[i]));
		if (!c->nparents[i])
			continue;
		git_oid_fromraw(&first, (const unsigned char *)parents->ptr +
						c->parents_at[i]);
		p = dlg_idtable_find(&ids, first.id, commit_key, c->id);
		if (p != DLG_IDTABLE_NONE) {
			git_oid_cpy(&c->parent_tree[i], &c->tree[p]);
			continue;
		}
		if (git_commit_lookup(&parent, r->git, &first) < 0) {
			dlg_idtable_dispose(&ids);
			return dlg_sync__error("cannot read a parent commit");
		}
		git_oid_cpy(&c->parent_tree[i], git_commit_tree_id(parent));
		git_commit_free(parent);
	}
	dlg_idtable_dispose(&ids);
	return 0;
}

static void compared(size_t done, size_t total, void *payload)
{
	dlg_sync__progress(payload, DLG_PROGRESS_INDEX, done, total);
}

/* The records of the commits read: id, time, parents, and the paths each
 * changed from its first parent. */
static int make_records(dlg_buf *recs, const commits *c,
			const dlg_buf *parents, dlg_repo *r)
{
	dlg_trees memo = { r->git, { NULL }, 0 };
	dlg_buf paths = DLG_BUF_INIT;
	size_t *start = calloc(c->n + 1, sizeof(*start)), i;
	uint32_t *count = calloc(c->n + 1, sizeof(*count));
	int error;

	if (!start || !count)
		abort();
	error = dlg_sync__changed_paths_many(&paths, start, count, &memo,
					     c->parent_tree, c->tree, c->n,
					     compared, r);
	dlg_sync__trees_dispose(&memo);
	if (error < 0)
		dlg_sync__error("cannot compare a commit with its parent");
	for (i = 0; !error && i < c->n; i++) {
		dlg_buf_put(recs, (const char *)c->id[i].id, 20);
		dlg_buf_put(recs, (const char *)&c->time[i], 4);
		dlg_buf_put(recs, (const char *)&c->nparents[i], 1);
		dlg_buf_put(recs, parents->ptr + c->parents_at[i],
			    20u * c->nparents[i]);
		dlg_buf_put(recs, (const char *)&count[i], 4);
		dlg_buf_put(recs, paths.ptr + start[i], start[i + 1] - start[i]);
	}
	free(start);
	free(count);
	dlg_buf_dispose(&paths);
	return error;
}

/* Index the commits reachable from HEAD that are not indexed yet: walked
 * (children before parents), read, then compared with their first parents
 * all at once. */
static int update(dlg_hindex *x, dlg_repo *r, const git_oid *head)
{
	git_revwalk *rw = NULL;
	commits c;
	dlg_buf recs = DLG_BUF_INIT, parents = DLG_BUF_INIT;
	git_oid oid;
	size_t i, window = 0, mapped = 0;
	int error, reaches;

	if (is_newest_tip(x, head) || find(x, head->id))
		return 0;
	memset(&c, 0, sizeof(c));
	/* Every commit and tree of the history is read once: libgit2's
	 * windows of 1 GiB would keep a whole pack in memory
	 * (docs/design.md). */
	git_libgit2_opts(GIT_OPT_GET_MWINDOW_SIZE, &window);
	git_libgit2_opts(GIT_OPT_GET_MWINDOW_MAPPED_LIMIT, &mapped);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)32 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
	if (git_revwalk_new(&rw, r->git) < 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(rw, head) < 0) {
		git_revwalk_free(rw);
		error = dlg_sync__error("cannot walk history");
		goto done;
	}
	/* The newest tips: what they reach is indexed already. */
	for (i = x->nblocks > MAX_TIPS ? x->nblocks - MAX_TIPS : 0;
	     i < x->nblocks; i++) {
		git_oid tip;

		git_oid_fromraw(&tip, x->tips[i]);
		git_revwalk_hide(rw, &tip); /* gone (a gc): nothing to hide */
	}
	git_error_clear();
	while (!(error = git_revwalk_next(&oid, rw))) {
		if (find(x, oid.id))
			continue; /* reached by a tip no longer hidden */
		commits_grow(&c);
		git_oid_cpy(&c.id[c.n++], &oid);
		if (!(c.n % 1024))
			dlg_sync__progress(r, DLG_PROGRESS_INDEX, c.n, 0);
	}
	git_revwalk_free(rw);
	if (error != GIT_ITEROVER) {
		/* libgit2's: a parent missing (a shallow clone, which
		 * libgit2 1.5 cannot walk) */
		error = dlg_sync__error("cannot walk history");
		goto done;
	}
	dlg_sync__cache_objects(0);
	error = read_commits(&c, &parents, r);
	if (!error)
		error = make_records(&recs, &c, &parents, r);
	dlg_sync__cache_objects(1);
	if (!error && c.n >= 1024)
		dlg_sync__progress(r, DLG_PROGRESS_INDEX, c.n, c.n);
	if (!error) {
		reaches = !x->nblocks ||
			  reaches_indexed(x, r, head,
					  (const unsigned char *)parents.ptr,
					  parents.size / 20);
		append_block(x, r, head, &recs, (uint32_t)c.n, reaches);
	}
done:
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped);
	commits_dispose(&c);
	dlg_buf_dispose(&parents);
	dlg_buf_dispose(&recs);
	return error;
}

int dlg_sync__hindex_open(dlg_hindex **out, dlg_repo *r, const git_oid *head)
{
	dlg_hindex *x = calloc(1, sizeof(*x));
	int error;

	if (!x)
		abort();
	x->data = (dlg_buf)DLG_BUF_INIT;
	load(x, r);
	if ((error = update(x, r, head)) < 0) {
		dlg_sync__hindex_free(x);
		return error;
	}
	*out = x;
	return 0;
}

static int touches(const record *rec, const dlg_sync_paths *w)
{
	const char *p = rec->paths;
	uint32_t i;

	for (i = 0; i < rec->npaths; i++, p += strlen(p) + 1)
		if (dlg_sync__paths_has(w, p))
			return 1;
	return 0;
}

int dlg_sync__hindex_commits(git_oid **out, size_t *count, dlg_hindex *x,
			     const git_oid *head, const dlg_sync_paths *paths)
{
	unsigned char *seen = calloc(x->nrecs + 1, 1);
	size_t *stack = malloc((x->nrecs + 1) * sizeof(*stack));
	size_t n = 0, b, i;
	git_oid *v;

	if (!seen || !stack)
		abort();
	/* What HEAD reaches: every record, when HEAD is the newest tip and
	 * its block says so; else what a walk through the parents finds. */
	if (is_newest_tip(x, head) && x->reaches_all[x->nblocks - 1])
		memset(seen, 1, x->nrecs);
	else
		walk(x, seen, stack, find(x, head->id));
	free(stack);
	v = calloc(x->nrecs + 1, sizeof(*v));
	if (!v)
		abort();
	/* Newest block first; in each block, children before parents. */
	for (b = x->nblocks; b-- > 0;) {
		size_t end = b + 1 < x->nblocks ? x->block_start[b + 1]
						: x->nrecs;

		for (i = x->block_start[b]; i < end; i++)
			if (seen[i] && touches(&x->recs[i], paths))
				git_oid_fromraw(&v[n++], x->recs[i].id);
	}
	free(seen);
	*out = v;
	*count = n;
	return 0;
}

const char *dlg_sync__hindex_paths(dlg_hindex *x, const git_oid *id,
				   uint32_t *count)
{
	const record *rec = find(x, id->id);

	*count = rec ? rec->npaths : 0;
	return rec ? rec->paths : NULL;
}

void dlg_sync__hindex_free(dlg_hindex *x)
{
	if (!x)
		return;
	unmap(x);
	dlg_buf_dispose(&x->data);
	free(x->recs);
	free(x->block_start);
	free(x->tips);
	free(x->reaches_all);
	dlg_idtable_dispose(&x->ids);
	free(x);
}
