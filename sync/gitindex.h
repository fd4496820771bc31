/* git's index file, shared inside sync/ by index.c (which edits it) and
 * status.c (which reads it). */
#ifndef DLG_SYNC_GITINDEX_H
#define DLG_SYNC_GITINDEX_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "sync_internal.h"

/*
 * git's index format (Documentation/gitformat-index.txt), the parts index.c
 * writes and status.c reads. A SHA-1 id is 20 bytes; another hash is refused.
 */
#define OID_SIZE 20
#define CHECKSUM_SIZE OID_SIZE /* the hash of all the bytes before it */

#define HEADER_SIGNATURE "DIRC"
#define HEADER_VERSION 4 /* 32-bit version: 2 and 3 handled here */
#define HEADER_COUNT 8	 /* 32-bit number of entries */
#define HEADER_SIZE 12

/* An entry: ten 32-bit stat fields, the blob id, 16 bits of flags, 16 more
 * if FLAG_EXTENDED (version 3), then the path and 1 to 8 NULs up to a
 * multiple of 8 bytes from the entry's start (versions 2 and 3). */
#define ENTRY_CTIME 0
#define ENTRY_CTIME_NSEC 4
#define ENTRY_MTIME 8
#define ENTRY_MTIME_NSEC 12
#define ENTRY_DEV 16
#define ENTRY_INO 20
#define ENTRY_MODE 24
#define ENTRY_UID 28
#define ENTRY_GID 32
#define ENTRY_SIZE 36
#define ENTRY_OID 40
#define ENTRY_FLAGS (ENTRY_OID + OID_SIZE)
#define ENTRY_MIN (ENTRY_FLAGS + 2) /* the fixed part: 62 */
#define ENTRY_EXTENDED_FLAGS 2	    /* after it, with FLAG_EXTENDED */
#define ENTRY_PATH_MAX 4096	    /* the longest path written here */

#define FLAG_EXTENDED 0x4000 /* skip-worktree, intent-to-add follow */
#define FLAG_STAGE 0x3000    /* nonzero: the path is in conflict */
#define FLAG_NAME_MASK 0x0fff /* the path's length, or this if longer */

#define MODE_FILE 0100644
#define MODE_EXECUTABLE 0100755

/* An extension: 4-byte signature, 32-bit size, data. A signature that
 * does not start with 'A'..'Z' is one a reader must understand. */
#define EXTENSION_HEADER 8
#define EXTENSION_TREE "TREE"


/* The index as read: the file mapped, and where its parts are. */
typedef struct {
	const unsigned char *map;
	size_t size;
	unsigned version;
	size_t nentries;
	const unsigned char *entries_end; /* where the extensions start */
	const unsigned char *end;	  /* where the checksum starts */
	const unsigned char *tree;	  /* the TREE extension's data */
	size_t tree_len;
} index_file;

static inline uint32_t be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static inline void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* An entry's length, header and path, NULs included. */
static inline size_t padded(size_t len)
{
	return (len + 8) & ~(size_t)7;
}

/* The entry at p: its length, its path and its flags; 0 if damaged. */
size_t dlg_sync__index_entry_at(const unsigned char *p,
				const unsigned char *end, unsigned version,
				const char **path, unsigned *flags);

/* The header of the index mapped at map: DLG_SYNC_FALLBACK if it is not
 * an index of a version handled here (2 or 3). */
int dlg_sync__index_parse_header(index_file *ix, const unsigned char *map,
				 size_t size);

/* The index at path mapped read-only, its stat data in st and its header
 * read: 0, or DLG_SYNC_FALLBACK (not there, not mapped, or a version not
 * handled here: nothing left mapped). dlg_sync__index_close lets go of
 * it (also of one never opened, zeroed). */
int dlg_sync__index_open(index_file *ix, struct stat *st, const char *path);
void dlg_sync__index_close(index_file *ix);

/* Whether the index's last 20 bytes are the SHA-1 of those before them,
 * as git and libgit2 check before they read it (st: the file's stat data;
 * the same file found whole before in this process is not hashed again). */
int dlg_sync__index_checksum_ok(const index_file *ix, const struct stat *st);

/* The extensions after the entries (ix->entries_end set): TREE found,
 * DLG_SYNC_FALLBACK for a required one (link: split index, sdir: sparse)
 * or damage. */
int dlg_sync__index_parse_extensions(index_file *ix);

/* The cache-tree (TREE): a node per folder, in pre-order, each
 * "name\0count subtrees\n" (count -1: not valid; else the entries under
 * it, and its tree id follows), then its subtrees. */
#define TREE_MAX_SUBTREES 100000
#define TREE_MAX_DEPTH 64 /* deeper: taken for damage */

/* The head of the node at p (before end): its name's length, count and
 * number of subtrees, in decimal digits only; the head's length (its id,
 * when count is not -1, follows and is there), or 0 when damaged. */
size_t dlg_sync__tree_node_head(const unsigned char *p,
				const unsigned char *end, size_t *namelen,
				long *count, long *subtrees);

/* Whether names match whatever their case (core.ignorecase, or not
 * known): libgit2's index then compares without case, and its status and
 * checkout judge, not status.c or checkout.c. */
int dlg_sync__ignores_case(git_repository *g);

/* Whether the repository's ids are SHA-1's, the only ones handled here. */
int dlg_sync__index_hash_handled(dlg_repo *r);

#endif
