/*
 * core: the delegit model, validation, canonical YAML, queries.
 *
 * core/ never prints and never calls libgit2. It reads and writes files of
 * the working tree and returns data and error codes; the message of the
 * last error is kept by dlg_error_set() and read with dlg_error_last().
 */
#ifndef DLG_CORE_H
#define DLG_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <time.h>

#include "../schema/schema.h"

/* The sizes of the fixed texts passed around, their NUL included. */
#define DLG_TASK_ID_SIZE 37  /* a task id: a UUID, 36 characters */
#define DLG_HEX_ID_SIZE 41   /* a git object id (SHA-1) in hex, 40 */
#define DLG_TIME_SIZE 21     /* a stored time, YYYY-MM-DDTHH:MM:SSZ */
#define DLG_DATE_SIZE 11     /* a date, YYYY-MM-DD */

/* Error codes: 0 is success, -1 a generic failure. */
enum {
	DLG_ERROR = -1,
	DLG_ENOTFOUND = -2,
	DLG_EAMBIGUOUS = -3,
	DLG_EINVALID = -4,
	DLG_ECONFLICT = -5,
	DLG_EOFFLINE = -6,
	DLG_ELOCKED = -7,
	DLG_EDENIED = -8,
	DLG_EUSAGE = -9,
};

/* Set the message of the error being returned (printf style); it
 * replaces the last one. Callers pass the message on, not overwrite it. */
void dlg_error_set(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The message of the last error; never NULL. Borrowed: valid until the
 * next dlg_error_set or dlg_error_clear. */
const char *dlg_error_last(void);
/* Forget the last error: dlg_error_last() says "unknown error" again. */
void dlg_error_clear(void);

/* A growable string buffer; ptr is never NULL and always NUL-terminated. */
typedef struct {
	char *ptr;
	size_t size;
	size_t asize;
} dlg_buf;

extern char dlg_buf__empty[];
#define DLG_BUF_INIT { dlg_buf__empty, 0, 0 }

/* Append len bytes of data. Aborts when memory runs out; returns 0. */
int dlg_buf_put(dlg_buf *b, const char *data, size_t len);
/* Append a NUL-terminated string; returns 0. */
int dlg_buf_puts(dlg_buf *b, const char *s);
/* Append printf-style text; 0, or -1 when vsnprintf fails (the buffer
 * is then unchanged). */
int dlg_buf_printf(dlg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* dlg_buf_printf with a va_list. */
int dlg_buf_vprintf(dlg_buf *b, const char *fmt, va_list ap);
/* Empty the buffer and keep its memory for reuse. */
void dlg_buf_clear(dlg_buf *b);
/* Room for len more bytes (and the NUL) without another allocation. */
void dlg_buf_reserve(dlg_buf *b, size_t len);
/* Give the buffer's string to the caller (who frees it); the buffer empties. */
char *dlg_buf_detach(dlg_buf *b);
/* Free the buffer's memory; it is empty (DLG_BUF_INIT) afterwards. */
void dlg_buf_dispose(dlg_buf *b);
/* strdup and strndup that abort when memory runs out, as the buffers do:
 * never NULL. */
char *dlg_strdup(const char *s);
char *dlg_strndup(const char *s, size_t n);

/*
 * Text from files is untrusted (SPEC 4): what delegit shows of it goes
 * through here, on a terminal, in a pipe, in HTML and in commit messages
 * alike. Appends s with control characters (C0, DEL, C1) shown as \e, \r,
 * \t, \x01, \u0085, bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069) as <U+202E>, and bytes that are not UTF-8
 * as \xff. What it escapes becomes printable ASCII, so escaping twice
 * changes nothing. DLG_ESC_LINES keeps newlines. DLG_ESC_JSON is for JSON
 * text (whose strings dlg_json_string wrote): what remains is escaped as
 * JSON does (\u007f, \u0085, \u202e; \ufffd for a byte that is not UTF-8).
 */
enum { DLG_ESC_LINES = 1, DLG_ESC_JSON = 2 };
void dlg_escape(dlg_buf *out, const char *s, size_t len, unsigned flags);
/* How many bytes of s dlg_escape would copy as they are; *bad_len (may be
 * NULL) gets the length of the character after them (0 at the end). */
size_t dlg_escape_span(const char *s, size_t len, unsigned flags,
		       size_t *bad_len);

/*
 * Problems found in a file: each one with a position, for
 * `path:line:column: message` reports. Lines and columns count from 1;
 * 0 means "no position".
 */
typedef struct {
	char *path;
	int line;
	int column;
	char *message;
} dlg_diag;

/* A list of problems (DLG_DIAGS_INIT; dlg_diags_dispose). */
typedef struct {
	dlg_diag *items;
	size_t count;
	size_t alloc;
} dlg_diags;

#define DLG_DIAGS_INIT { NULL, 0, 0 }
/* Add a problem (path may be NULL; line, column 0: no position); the
 * strings are copied. */
void dlg_diags_add(dlg_diags *d, const char *path, int line, int column,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Append "path:line:column: message" lines (the position as far as
 * known); returns 0. */
int dlg_diags_format(dlg_buf *out, const dlg_diags *d);
/* Free every problem; d is empty (DLG_DIAGS_INIT) afterwards. */
void dlg_diags_dispose(dlg_diags *d);

/* ---------------------------------------------------------------------
 * Documents: a YAML tree that keeps every key, known or not.
 */
typedef enum {
	DLG_NODE_SCALAR,
	DLG_NODE_SEQ,
	DLG_NODE_MAP,
} dlg_node_kind;

/* What a scalar resolves to (YAML 1.1 core rules, as PyYAML reads it). */
typedef enum {
	DLG_SCALAR_NULL,
	DLG_SCALAR_BOOL,
	DLG_SCALAR_INT,
	DLG_SCALAR_FLOAT,
	DLG_SCALAR_STR,
	DLG_SCALAR_TIMESTAMP,
} dlg_scalar_type;

/* One node of a document: a scalar, a sequence or a map (keys in file
 * order). A node owns everything under it. */
typedef struct dlg_node dlg_node;
struct dlg_node {
	dlg_node_kind kind;
	dlg_scalar_type type; /* scalars */
	char *value;          /* scalars: never NULL */
	size_t count;         /* seq items, or map pairs */
	size_t alloc;
	char **keys;          /* maps */
	dlg_node **items;     /* seq items, or map values */
	int line, column;     /* where it starts in its file, from 1 */
};

/*
 * New nodes, owned by the caller (dlg_node_free) until given to a map or
 * sequence; value is copied. They never return NULL (allocation failures
 * abort). dup copies a whole tree (NULL for NULL).
 */
dlg_node *dlg_node_new_map(void);
dlg_node *dlg_node_new_seq(void);
dlg_node *dlg_node_new_scalar(dlg_scalar_type type, const char *value);
dlg_node *dlg_node_new_str(const char *value);
dlg_node *dlg_node_new_null(void);
dlg_node *dlg_node_dup(const dlg_node *n);
/* Free a node and everything under it; NULL is fine. */
void dlg_node_free(dlg_node *n);
/* Structural equality (kind, type, value; maps regardless of key order):
 * 1 or 0. */
int dlg_node_equal(const dlg_node *a, const dlg_node *b);

/* Maps. get returns a borrowed node or NULL (get_str: a scalar's value,
 * else NULL). set takes ownership of value, replacing (and freeing) the
 * key's old one; set_str and set_null make the node. */
dlg_node *dlg_map_get(const dlg_node *map, const char *key);
const char *dlg_map_get_str(const dlg_node *map, const char *key);
void dlg_map_set(dlg_node *map, const char *key, dlg_node *value);
void dlg_map_set_str(dlg_node *map, const char *key, const char *value);
void dlg_map_set_null(dlg_node *map, const char *key);
/* Free and remove a key's value; nothing when the key is absent. */
void dlg_map_remove(dlg_node *map, const char *key);
/* Sequences. push takes ownership of item. */
void dlg_seq_push(dlg_node *seq, dlg_node *item);
/* Free and remove an item, the following ones moving up. */
void dlg_seq_remove(dlg_node *seq, size_t index);
/* A keyed list's item (a map whose `id` is id), or NULL. Borrowed. */
dlg_node *dlg_seq_find_id(const dlg_node *seq, const char *id);

/* The type a plain scalar resolves to under YAML 1.1's implicit rules
 * (DLG_SCALAR_STR when no rule matches). */
dlg_scalar_type dlg_yaml_resolve(const char *value);

/*
 * Parse one YAML document into *out (the caller's: dlg_node_free). Errors
 * go to diags with path positions and the function returns DLG_EINVALID,
 * *out NULL. Refuses aliases, NUL bytes, invalid UTF-8, nesting deeper
 * than 64 and inputs over DLG_MAX_FILE bytes.
 */
#define DLG_MAX_FILE (1024 * 1024)
int dlg_yaml_parse(dlg_node **out, const char *data, size_t len,
		   const char *path, dlg_diags *diags);

/*
 * Validate a document against a schema and bring its scalars to canonical
 * form (booleans as true/false, numbers in decimal, missing optional fields
 * as null), in place. Every problem is added to diags (path names the file
 * in them); returns 0, or DLG_EINVALID if any.
 */
int dlg_schema_validate(dlg_node *doc, const dlg_schema *schema,
			const char *path, dlg_diags *diags);

/*
 * Check a value given on the command line for one field (a scalar field,
 * or one item of a set or list): what validation would say of it, with no
 * file and no position. The text is typed as YAML reads it; "" is null,
 * and so are null and ~ when yaml_null is set (set's KEY=VALUE: a title
 * "null" given to add is a string). Returns 0, or DLG_EINVALID with the problem appended to
 * out ("unknown value 'x' (expected one of a, b)").
 */
int dlg_schema_check_value(dlg_buf *out, const dlg_field *f,
			   const char *value, int yaml_null);

/* Append the canonical YAML text of a document, driven by its schema:
 * 0, or -1 when libyaml's emitter fails. */
int dlg_yaml_write(dlg_buf *out, const dlg_node *doc, const dlg_schema *schema);
/* Append a document as JSON (one line), typed by its scalars; 0. */
int dlg_json_write(dlg_buf *out, const dlg_node *doc);
/* Append s as a JSON string literal, quotes included; 0. */
int dlg_json_string(dlg_buf *out, const char *s);
/* Append a one-line rendering of a value for messages ("null",
 * "[a, b]", ...); 0. */
int dlg_node_summary(dlg_buf *out, const dlg_node *n);

/* ---------------------------------------------------------------------
 * Time: "now" honours DELEGIT_NOW (an ISO time), which tests use.
 */
/* The time now, or DELEGIT_NOW's when it is set and valid. */
time_t dlg_now(void);
/* t as YYYY-MM-DDTHH:MM:SSZ (UTC), NUL-terminated in out. */
void dlg_time_format(char out[DLG_TIME_SIZE], time_t t);
/* YYYY-MM-DD: the date at t in the local time zone (TZ), which is what
 * "today", "overdue" and "this week" are judged by. */
void dlg_date_format(char out[DLG_DATE_SIZE], time_t t);
/* "YYYY-MM-DD HH:MM ZONE" in the local time zone: times as people read
 * them (files and --json keep UTC). */
void dlg_time_format_local(char out[32], time_t t);
/* The local midnight that starts a YYYY-MM-DD date: periods (--since,
 * --until) begin and end there. 0, or -1 for a date that is not valid. */
int dlg_day_start(time_t *out, const char *date);
/* Whole days from today (local) to a date (YYYY-MM-DD...): 0 today, 1
 * tomorrow, -1 yesterday. */
long dlg_days_until(const char *date, time_t now);
/* A date as people type it, made a YYYY-MM-DD: an ISO date, today,
 * tomorrow, a weekday name or its first three letters (the next such day,
 * after today), +Nd, +Nw, eow (this week's Sunday), eom (this month's
 * last day); any case. 0, or -1 for anything else. */
int dlg_date_resolve(char out[DLG_DATE_SIZE], const char *text, time_t now);
/* A time (YYYY-MM-DDTHH:MM:SSZ) or a date (its UTC midnight): 0, or -1
 * for anything else. */
int dlg_time_parse(time_t *out, const char *s); /* time or date */
/* Any YAML timestamp with a time: offsets, 'T' or a blank, .000; 0, or
 * -1 for anything else (a fraction that is not zero included). */
int dlg_time_parse_yaml(time_t *out, const char *s);
/* 1 when s is exactly a real date (YYYY-MM-DD) or time
 * (YYYY-MM-DDTHH:MM:SSZ), else 0. */
int dlg_date_valid(const char *s);
int dlg_time_valid(const char *s);

/* ---------------------------------------------------------------------
 * Ids.
 */
/* 1 when s is a lowercase UUID (8-4-4-4-12 hex digits); else 0. */
int dlg_uuid_valid(const char *s);
/* 1 when s is one or more hex digits (either case) and dashes; else 0. */
int dlg_hex_prefix_valid(const char *s);
/* A new random UUID (lowercase) and a new 8 hex digit item id,
 * NUL-terminated in out. */
void dlg_uuid_new(char out[DLG_TASK_ID_SIZE]);
void dlg_item_id_new(char out[9]);
/* 1 when s can be a handle (lowercase letters, digits, '.', '-' and '_',
 * starting with a letter or digit, 40 characters at most); else 0. */
int dlg_handle_valid(const char *s);

/* ---------------------------------------------------------------------
 * The working tree: a delegit repository's files.
 */
typedef struct dlg_store dlg_store;

/* Open the delegit files under root (the work tree of the repository):
 * *out is the caller's (dlg_store_free). Only copies root: returns 0. */
int dlg_store_open(dlg_store **out, const char *root);
/* Free the store; NULL is fine. */
void dlg_store_free(dlg_store *s);
/* The root the store was opened on. Borrowed. */
const char *dlg_store_root(const dlg_store *s);
/* Where the task rows are cached (under .git/; copied); NULL: not cached. */
void dlg_store_set_cache(dlg_store *s, const char *path);
/* The cache path set, or NULL. Borrowed. */
const char *dlg_store_cache(const dlg_store *s);
/* Names some bytes by 20 bytes that differ when the bytes do. */
typedef void (*dlg_hash_fn)(unsigned char out[20], const char *data,
			    size_t len);
/* The hasher the rows cache names task files' contents with (sync/'s
 * dlg_blob_id, git's blob id, so that core/ knows nothing of git's object
 * format); NULL (the default): rows are found by stat data only. */
void dlg_store_set_hash(dlg_store *s, dlg_hash_fn hash);

/*
 * Read and validate one file (relative path) into *out (the caller's).
 * DLG_ENOTFOUND when it is not there; on invalid content DLG_EINVALID with
 * the problems in diags (so are read failures); *out is then NULL.
 */
int dlg_store_load(dlg_node **out, dlg_store *s, const char *relpath,
		   const dlg_schema *schema, dlg_diags *diags);
/* The same, the bytes read kept in text (the caller's: the cache of
 * parsed trees keys them by their blob id). */
int dlg_store_load_text(dlg_node **out, dlg_buf *text, dlg_store *s,
			const char *relpath, const dlg_schema *schema,
			dlg_diags *diags);
/* Parse and validate text as the given file would be, without reading
 * or writing: 0 with *out the caller's, or DLG_EINVALID, *out NULL and the
 * problems in diags. */
int dlg_store_parse(dlg_node **out, const char *text, size_t len,
		    const char *relpath, const dlg_schema *schema,
		    dlg_diags *diags);
/* Write a document canonically, atomically; the text written goes to
 * text (the caller disposes of it). Returns dlg_store_write_file's codes,
 * or -1 when it cannot be written as YAML. */
int dlg_store_save(dlg_buf *text, dlg_store *s, const char *relpath,
		   const dlg_node *doc, const dlg_schema *schema);
/*
 * Files by their path relative to the root: a path that leaves the root,
 * goes through a link or names no regular file is DLG_EINVALID; a file
 * not there DLG_ENOTFOUND; other failures -1 (errno's words in the
 * message). write replaces atomically (a temporary file renamed, the
 * folders made); read replaces what out held, at most DLG_MAX_FILE bytes
 * (more: DLG_EINVALID); exists returns 1 or 0.
 */
int dlg_store_write_file(dlg_store *s, const char *relpath, const char *data,
			 size_t len);
int dlg_store_read_file(dlg_buf *out, dlg_store *s, const char *relpath);
int dlg_store_exists(dlg_store *s, const char *relpath);
int dlg_store_remove_file(dlg_store *s, const char *relpath);

/* Read or write any file by its path (for files git hands to the merge
 * driver): reads at most DLG_MAX_FILE bytes into out (replacing what it
 * held); 0, DLG_ENOTFOUND, or -1. */
int dlg_path_read(dlg_buf *out, const char *path);
/* A whole file mapped read-only, its pages read in at once; NULL when it
 * is missing, empty or cannot be mapped. munmap(map, *size) frees it. */
char *dlg_path_map(const char *path, size_t *size);
/* The same, each page read when first touched: for a file read in part
 * (the events cache: a query reads the records of its commits only). */
char *dlg_path_map_sparse(const char *path, size_t *size);
/* The running program's identity: its executable's size and modification
 * time (seconds, nanoseconds), for caches whose content depends on the
 * build that wrote them (another build's are not read). 0, or -1 when it
 * cannot be told. */
int dlg_program_identity(int64_t id[3]);
/* Write (create or replace) a file in place; 0, or -1 with a message. */
int dlg_path_write(const char *path, const char *data, size_t len);

/* Append the path of a task file, tasks/<hh>/<uuid>.yaml: 0, or
 * DLG_EINVALID when uuid is not a UUID. */
int dlg_task_path(dlg_buf *out, const char *uuid);
/* Whether a task's id is the one its file (relpath) is named after,
 * "<id>.yaml", exactly, and under tasks/ in the shard folder of its first
 * two characters. 0, or DLG_EINVALID and the problem added to diags at
 * the id's position. */
int dlg_task_check_file_id(dlg_diags *diags, const char *relpath,
			   const dlg_node *task);
/* Resolve a unique id prefix (at least 4 hex digits, any case) to a full
 * uuid in out: 0, DLG_EINVALID (not such a prefix), DLG_ENOTFOUND or
 * DLG_EAMBIGUOUS, with a message; -1 when tasks/ cannot be read. */
int dlg_store_resolve_task(char out[DLG_TASK_ID_SIZE], dlg_store *s, const char *prefix);
/* The shortest unique prefix (at least 6 digits) of a task id, in out;
 * returns 0 (6 digits when its shard cannot be read). */
int dlg_store_short_id(char out[DLG_TASK_ID_SIZE], dlg_store *s, const char *uuid);
/* The next dlg_rows_load keeps the ids it finds in each shard of tasks/
 * as that shard's listing for dlg_store_short_id and
 * dlg_store_resolve_task, which then need not read the folders again (a
 * command that prints many short ids after a query, as agenda does), and
 * for dlg_store_check, where a folder holds nothing but tasks. */
void dlg_store_keep_listings(dlg_store *s);
/* The names in a folder of the repository (none when it is missing),
 * sorted, without those that start with a dot. 0 with *out the caller's
 * (dlg_strv_free), or -1. */
int dlg_store_list_dir(char ***out, size_t *count, dlg_store *s,
		       const char *rel);
/* Every task file's relative path, sorted: 0 with *out the caller's
 * (dlg_strv_free), or -1. */
int dlg_store_list_tasks(char ***out, size_t *count, dlg_store *s);
/*
 * The archive (delegit archive): closed tasks moved out of tasks/ to
 * archive/<year closed>/<hh>/<uuid>.yaml, so that what reads tasks/ costs
 * what the active work does. path: where a task closed at `closed` (a
 * time, YYYY-...) goes; list: every archived task file, sorted; find: the
 * path of the archived task an id prefix names (DLG_ENOTFOUND,
 * DLG_EAMBIGUOUS, DLG_EINVALID for no id prefix), by a scan of archive/.
 * path: DLG_EINVALID for a bad id or time; list: *out the caller's
 * (dlg_strv_free), 0 or -1.
 */
int dlg_archive_path(dlg_buf *out, const char *uuid, const char *closed);
int dlg_store_list_archived(char ***out, size_t *count, dlg_store *s);
int dlg_store_find_archived(dlg_buf *out, dlg_store *s, const char *prefix);
/* Free an array of strings the list functions above made; NULL is fine. */
void dlg_strv_free(char **v, size_t count);
/* qsort's and bsearch's comparison of two strings in an array of char *
 * (or const char *): strcmp of what a and b point to. */
int dlg_strp_cmp(const void *a, const void *b);
/*
 * "Did you mean", as git judges it (help.c): how far typed is from
 * candidate, an optimal string alignment distance (Damerau-Levenshtein,
 * each substring edited once) where swapping two neighbours costs 0,
 * replacing a character 2, adding one 1 and leaving one out 3: a word
 * typed short or with two letters swapped is close, another word is not.
 */
size_t dlg_edit_distance(const char *typed, const char *candidate);
/* The largest distance still suggested (git's SIMILARITY_FLOOR, 7, counts
 * from 1). */
#define DLG_SIMILAR 5
/*
 * The names nearest typed, when at most DLG_SIMILAR away: their indexes,
 * in the order of names, into out (at most max of them, all equally
 * near); returns how many (0: nothing close enough to suggest).
 */
size_t dlg_similar(size_t *out, size_t max, const char *typed,
		   const char *const *names, size_t n);

/* The team, from team/<handle>.yaml. */
typedef struct {
	dlg_node **people; /* validated person documents */
	size_t count;
	/* people sorted by handle, each handle once (dlg_team_load's, and
	 * subsets of it in its order): dlg_team_find searches by halves */
	int by_handle;
} dlg_team;

/* Load the whole team into out (dlg_team_dispose, whatever it returns):
 * 0; DLG_EINVALID when files were invalid (reported in diags, the valid
 * people loaded all the same); -1 when team/ cannot be read. */
int dlg_team_load(dlg_team *out, dlg_store *s, dlg_diags *diags);
/* Free the people and the array; t is empty afterwards. */
void dlg_team_dispose(dlg_team *t);
/* A person by handle, or by one of their emails (any case); NULL when
 * nobody. Borrowed from the team. */
const dlg_node *dlg_team_find(const dlg_team *t, const char *handle);
const dlg_node *dlg_team_find_email(const dlg_team *t, const char *email);
/* team/<handle>.yaml; DLG_EINVALID for a handle that is not valid. */
int dlg_team_path(dlg_buf *out, const char *handle);
/* Someone other than `except` (a handle, may be NULL) among the first
 * `upto` people who has one of person's emails, or NULL; *email gets it.
 * Both borrowed. */
const dlg_node *dlg_team_email_clash(const dlg_team *t, size_t upto,
				     const dlg_node *person, const char *except,
				     const char **email);

/* Every task's row, in file name order; opaque (dlg_rows_free). A row's
 * strings live as long as its rows. (Below, with dlg_rows_load.) */
typedef struct dlg_rows dlg_rows;

/*
 * Check every delegit file of the repository: schemas, file names against
 * ids, people referenced, duplicate ids, stray or unsafe entries. Each
 * problem goes to diags; 0, or DLG_EINVALID when any was found. rows: the
 * rows cache as dlg_rows_load gave it (NULL: none), which vouches for the
 * task files it knows valid, so that they are not parsed again.
 */
int dlg_store_check(dlg_store *s, const dlg_rows *rows, dlg_diags *diags);

/* ---------------------------------------------------------------------
 * Tasks.
 */
typedef enum {
	DLG_ACT_START,
	DLG_ACT_BLOCK,
	DLG_ACT_SUBMIT,
	DLG_ACT_ACCEPT,
	DLG_ACT_REJECT,
	DLG_ACT_REOPEN,
	DLG_ACT_CANCEL,
} dlg_action;

/* Who asks: their handle and role (director, manager, staff, msp). */
typedef struct {
	const char *handle;
	const char *role;
} dlg_actor;

/*
 * Apply a workflow action of SPEC 5 to a task: checks the status it comes
 * from and that the actor may take it, then sets status and the started /
 * closed stamps. reject records message as review feedback; block records
 * it as a concern. Returns 0; DLG_EINVALID (not from this status),
 * DLG_EDENIED (not this actor) or DLG_EUSAGE (a reason missing), with a
 * message.
 */
int dlg_task_act(dlg_node *task, dlg_action action, const dlg_actor *who,
		 const char *message, time_t now);
/*
 * dlg_task_act with flags. accept refuses (DLG_EINVALID) while acceptance
 * criteria are unmet, naming them; with DLG_ACT_FORCE it accepts and
 * records them in a review feedback entry ("accepted with 2 acceptance
 * criteria unmet: ...", then the message).
 */
enum { DLG_ACT_FORCE = 1 << 0 };
int dlg_task_act_flags(dlg_node *task, dlg_action action,
		       const dlg_actor *who, const char *message, time_t now,
		       unsigned flags);
/*
 * A new due date, asked for and answered (SPEC 5). ask: the assignee asks
 * for `date` (YYYY-MM-DD) with a reason: the task holds it as
 * due_request, and a concern feedback entry says so. answer: the
 * delegator (a director, a manager) grants it (due becomes the date asked
 * for) or declines it (a reason needed); either way the request goes and
 * a guidance entry records the answer. Both return 0, or DLG_EINVALID,
 * DLG_EDENIED or DLG_EUSAGE (bad date, no reason) with a message.
 */
int dlg_task_ask_due(dlg_node *task, const dlg_actor *who, const char *date,
		     const char *why, time_t now);
int dlg_task_answer_due(dlg_node *task, const dlg_actor *who, int grant,
			const char *message, time_t now);
/* An action by its command name (start, block, ...): 0, or -1 for an
 * unknown name. */
int dlg_action_parse(dlg_action *out, const char *name);
/* The action's command name (static). */
const char *dlg_action_name(dlg_action a);

/* Record hours spent on a task (by a handle; note may be NULL): a new
 * entry of its `spent` list. 0, or DLG_EUSAGE for hours out of range. */
int dlg_task_add_spent(dlg_node *task, const char *by, double hours,
		       const char *note, time_t now);
/* Hours spent on a task: every entry, or `by`'s only (NULL: everyone's),
 * recorded in [since, until) (0: open ends). A task made from a row holds
 * only the sum (spent_hours), which counts when no filter is asked. */
double dlg_task_spent(const dlg_node *task, const char *by, time_t since,
		      time_t until);
/* The work left in an open task, as its load counts: its estimate less
 * the hours spent on it so far, never below 0 (0 without an estimate). */
double dlg_task_open_hours(const dlg_node *task);
/* "1.5h", "90m", "2": hours, more than 0 and at most 1000; 0, or -1
 * (no message) for anything else. */
int dlg_hours_parse(double *out, const char *s);
/* Add a feedback entry (a new item id, at now). */
void dlg_task_add_feedback(dlg_node *task, const char *author,
			   const char *kind, const char *text, time_t now);
/* Stamp `updated` and `updated_by`. */
void dlg_task_touch(dlg_node *task, const char *handle, time_t now);
/* A new task with every field of the format, all defaults; the
 * caller's (dlg_node_free). */
dlg_node *dlg_task_new(const char *uuid, const char *title,
		       const char *delegator, time_t now);
/* Set a field from KEY=VALUE text, typed by the schema (sets: a,b
 * replaces, +a,-b edits). The caller validates afterwards. 0, or
 * DLG_EUSAGE with a message for a key that cannot be set this way. */
int dlg_task_set_field(dlg_node *task, const char *key, const char *value);
/* 1 when the task is neither done nor cancelled; else 0. */
int dlg_task_is_open(const dlg_node *task);
/* 1 when an open task's due date is before today (local); else 0. */
int dlg_task_is_overdue(const dlg_node *task, time_t now);

/* ---------------------------------------------------------------------
 * Routine work (core/routine.c): recurring tasks and dependencies.
 */
typedef struct {
	int months; /* monthly 1, quarterly 3, yearly 12; or 0 */
	int days;   /* daily 1, weekly 7, Nd, Nw; or 0 */
} dlg_recur_rule;

/* A rule as `every` holds it: daily, weekly, monthly, quarterly, yearly,
 * Nd or Nw (N from 1 to 3650 days). out may be NULL (a check).
 * DLG_EINVALID for anything else. */
int dlg_recur_parse(dlg_recur_rule *out, const char *every);
/*
 * The first date of a series after `after` (YYYY-MM-DD): the series' dates
 * are start, then start moved on by the rule, again and again. Month
 * rules keep start's day of the month, or a shorter month's last day
 * (from Jan 31 monthly: Feb 28, Mar 31, Apr 30). A date before start
 * gives start. 0, or DLG_EINVALID for a bad rule or date.
 */
int dlg_recur_next_date(char out[DLG_DATE_SIZE], const char *every, const char *start,
			const char *after);
/* The id of a series' occurrence due on `due`: a name-based UUID of the
 * series, the delegator and the date, the same on every replica. */
void dlg_recur_id(char out[DLG_TASK_ID_SIZE], const char *series, const char *delegator,
		  const char *due);
/* Make a new task (with its id and due date) the first of a series:
 * its `recur` map. DLG_EUSAGE, with a message, for a bad rule, no due
 * date or `until` before it. until may be NULL. */
int dlg_recur_begin(dlg_node *task, const char *every, const char *until);
/*
 * The next occurrence of a recurring task being closed (*out, the
 * caller's), or *out NULL when it recurs no more (no `recur`, or past
 * `until`): a copy with the derived id, due on the next date of the rule
 * after this one's due date, status open, created and updated now by
 * handle, checkpoints moved as far as the due date moved and not done,
 * acceptance criteria unmet, items with derived ids; feedback, time
 * spent, conflicts, due requests and dependencies not carried over.
 * 0, or DLG_EINVALID when the task's rule or dates are not valid.
 */
int dlg_recur_next(dlg_node **out, const dlg_node *task, const char *handle,
		   time_t now);

/*
 * Templates (templates/<name>.yaml, schema/ dlg_schema_template): from a
 * task, what a task like it needs (title, priority, autonomy, estimate,
 * tags, skills, why, expectations with the acceptance criteria as text,
 * checkpoints as "before" the due date: 7d); onto a new task (its due
 * date set first), those fields filled: scalars set, lists added to,
 * criteria and checkpoints as new items (DLG_EUSAGE when the template has
 * checkpoints and the task no due date). from: 0, *out the caller's
 * (dlg_node_free); apply: 0 or DLG_EUSAGE, with a message.
 */
int dlg_template_from_task(dlg_node **out, const dlg_node *task,
			   const char *name);
int dlg_template_apply(dlg_node *task, const dlg_node *tmpl);

/* A task by its full id, or NULL (unknown, or not valid); what it returns
 * stays valid as long as the caller of the functions below needs. */
typedef const dlg_node *(*dlg_task_lookup_fn)(const char *id, void *payload);
/* How many of a task's dependencies (`after`) are not done; each one,
 * "<id8> <title> (<status>)", joined by ", ", appended to out (may be
 * NULL). A dependency lookup cannot find counts as not done. */
size_t dlg_after_pending(dlg_buf *out, const dlg_node *task,
			 dlg_task_lookup_fn lookup, void *payload);
/* Whether giving task `id` the dependencies `after` (a list of ids)
 * makes a cycle: 1, the cycle ("aaaaaaaa after bbbbbbbb after aaaaaaaa")
 * appended to out; else 0. */
int dlg_after_cycle(dlg_buf *out, const char *id, const dlg_node *after,
		    dlg_task_lookup_fn lookup, void *payload);

/* One field that changed between two versions of a document. */
typedef struct {
	char *field; /* e.g. status, checkpoints[27c4f0aa].done */
	char *from;  /* one-line rendering, NULL when absent */
	char *to;
} dlg_change;

/* A list of changes (DLG_CHANGES_INIT; dlg_changes_dispose). */
typedef struct {
	dlg_change *items;
	size_t count;
	size_t alloc;
} dlg_changes;

#define DLG_CHANGES_INIT { NULL, 0, 0 }
/*
 * The field-by-field difference of two documents (either may be NULL).
 * Keyed lists are matched by item id; updated / updated_by are left out.
 * Appends to out (dlg_changes_dispose); returns 0.
 */
int dlg_doc_diff(dlg_changes *out, const dlg_node *from, const dlg_node *to);
/* Free every change; c is empty afterwards. */
void dlg_changes_dispose(dlg_changes *c);

/* ---------------------------------------------------------------------
 * Merging, three-way and field by field (SPEC 6).
 */

/*
 * Merge multi-line text by lines. Returns 0 with *out set (caller frees)
 * when the sides touched different lines, DLG_ECONFLICT when they did not.
 * core/ knows nothing of git: sync/ gives one built on git_merge_file.
 */
typedef int (*dlg_text_merge_fn)(char **out, const char *base,
				 const char *ours, const char *theirs,
				 void *payload);

/* How dlg_merge_doc merges (DLG_MERGE_OPTIONS_INIT); may be NULL. */
typedef struct {
	dlg_text_merge_fn text_merge; /* NULL: text changed on both sides is
				       * a conflict */
	void *payload;
	/* The latest time each side's `updated` may say (UTC, as stored:
	 * its commit's time and the clocks' allowance); a later stamp counts
	 * as this, in deciding conflicts and in the merged `updated`. NULL:
	 * no limit. Given for a and b of dlg_merge_doc. */
	const char *latest_a, *latest_b;
} dlg_merge_options;

#define DLG_MERGE_OPTIONS_INIT { NULL, NULL, NULL, NULL }

/*
 * Merge two versions of a document that share an ancestor (base may be
 * NULL: both added it). The result does not depend on the order of a and
 * b. Scalars changed on both sides to different values: the side with the
 * later `updated` wins (ties: the greater value), and the other value is
 * recorded under `conflicts:`. *out (the caller's) is validated and
 * canonical; *nconflicts (may be NULL) counts the new records. 0, or
 * DLG_EINVALID when the merge does not validate (the message says why),
 * *out NULL.
 */
int dlg_merge_doc(dlg_node **out, size_t *nconflicts, const dlg_node *base,
		  const dlg_node *a, const dlg_node *b, const dlg_schema *schema,
		  const dlg_merge_options *opts);

/* A new conflict record (see docs/sync.md; the caller's): `kept` is in
 * the file, `lost` is not (both copied). Its id is a hash of its content. */
dlg_node *dlg_conflict_new(const char *field, const char *reason,
			   const dlg_node *kept, const char *kept_by,
			   const char *kept_at, const dlg_node *lost,
			   const char *lost_by, const char *lost_at);

/*
 * Enforce mode's rejection of one field of a task. before and after are
 * the task around the rejected commit (either may be NULL); doc is the
 * task as it stands, edited in place: where its field still holds after's
 * value, before's goes back and the rejection is recorded under
 * conflicts: (reason "rejected", naming the commit and its author). A
 * later, allowed change is left alone. Returns 1 if taken back, else 0.
 */
int dlg_conflict_reject(dlg_node *doc, const char *field,
			const dlg_node *before, const dlg_node *after,
			const char *author, const char *commit);


/*
 * A field of a document by path: "status", "expectations.outcome",
 * "checkpoints[27c4f0aa].done", "checkpoints[27c4f0aa]" (the item).
 * get returns a borrowed node or NULL; set takes value (NULL removes)
 * and returns 0, or DLG_ENOTFOUND (value freed) when the path's parent
 * is not there.
 */
const dlg_node *dlg_doc_get_path(const dlg_node *doc, const char *path);
int dlg_doc_set_path(dlg_node *doc, const char *path, dlg_node *value);

/* ---------------------------------------------------------------------
 * History: field changes of tasks, newest first, as `delegit log` shows
 * them and reports count them. cli/ gathers them (through sync/).
 */
typedef struct {
	char commit[DLG_HEX_ID_SIZE];
	char task[DLG_TASK_ID_SIZE];
	char *title;  /* the task's title at that commit */
	char *author; /* a handle, or the commit's email if nobody's */
	time_t at;
	char *field;  /* "(file)" when a version did not validate */
	char *from, *to; /* one-line renderings; NULL: absent */
	char *key;    /* the verified signature's key fingerprint, or NULL */
} dlg_event;

/* A list of events (DLG_EVENTS_INIT; dlg_events_dispose). */
typedef struct {
	dlg_event *items;
	size_t count, alloc;
	/* the events' texts, in blocks freed with them (a report holds
	 * hundreds of thousands: one allocation each was most of its
	 * memory); a text equal to the previous event's is shared */
	char **blocks;
	size_t nblocks;
	char *next; /* free space in the last block */
	size_t left;
} dlg_events;

#define DLG_EVENTS_INIT { NULL, 0, 0, NULL, 0, NULL, 0 }
/*
 * Add the changes between two versions of a task file (either may be NULL:
 * added, removed), unattributed: commit "", author NULL, at 0, key NULL.
 * The same versions always give the same events, which is what lets
 * sync/ keep them (sync/evcache.c). The texts are copied into ev.
 */
void dlg_events_of_versions(dlg_events *ev, const char *path,
			    const char *old_text, size_t old_len,
			    const char *new_text, size_t new_len);
/* Add a copy of e made by commit, author (a handle or an email), at, and
 * the verified key (NULL: none). */
void dlg_events_add(dlg_events *ev, const dlg_event *e, const char *commit,
		    const char *author, time_t at, const char *key);
/* Drop, in each commit that archived a task (an "(archived)" event, which
 * cli/ makes of a file added under archive/), the events of its fields
 * gone from tasks/: a move is one event, not a deletion. */
void dlg_events_pair_moves(dlg_events *ev);
/* Free every event and its texts; ev is empty afterwards. */
void dlg_events_dispose(dlg_events *ev);

/* ---------------------------------------------------------------------
 * Policy (SPEC 7).
 */
typedef struct {
	char *path;    /* the file */
	char *field;   /* the field, "" for the whole file */
	char *author;  /* handle, or email when nobody's */
	char *from, *to;
	char *message;
	char *commit;  /* set by whoever knows it (sync, audit) */
	char *before, *after; /* the file's blob ids, where known (NULL: none) */
} dlg_violation;

/* A list of violations (DLG_VIOLATIONS_INIT; dlg_violations_dispose). */
typedef struct {
	dlg_violation *items;
	size_t count, alloc;
} dlg_violations;

#define DLG_VIOLATIONS_INIT { NULL, 0, 0 }

/* The policy `delegit init` writes: SPEC 7's default. */
extern const char dlg_policy_default_text[];

/*
 * Judge the change of one delegit file (old or new may be NULL: added,
 * deleted) by `author` (their person document; NULL when the email is
 * nobody's) under `policy` (NULL: the default). Adds one violation per
 * field the author may not change; returns 0, or DLG_EDENIED if any.
 */
int dlg_policy_judge(dlg_violations *out, const dlg_node *policy,
		     const dlg_node *author, const char *email,
		     const char *path, const dlg_node *old_doc,
		     const dlg_node *new_doc);
/* 1 when the policy's mode is enforce (not warn, the default); else 0. */
int dlg_policy_enforced(const dlg_node *policy);
/* Add a violation; every string is copied (from, to, author may be
 * NULL). */
void dlg_violations_add(dlg_violations *v, const char *path, const char *field,
			const char *author, const char *from, const char *to,
			const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Free every violation; v is empty afterwards. */
void dlg_violations_dispose(dlg_violations *v);

/* ---------------------------------------------------------------------
 * Task rows: what `list` shows and filters on, for every valid task,
 * through a cache derived from the files' content (core/rows.c).
 */
typedef struct {
	const char *file; /* the id the file is named after */
	const char *id, *title, *status, *priority, *due, *assignee,
		*delegator, *created, *updated;
	const char *tags; /* each tag followed by a newline */
	const char *estimate_hours;
	const char *spent_hours; /* the sum of its time entries, or NULL */
	/* updated_by and each feedback author, each followed by a newline
	 * (what `check` looks up in the team besides the two above) */
	const char *refs;
	const char *every, *series; /* recur's, or NULL: not recurring */
	const char *after; /* NULL, or each task it waits for and a newline */
	int core;
} dlg_row;

/*
 * Rows of every task file under tasks/. Invalid files have no row; their
 * problems go to diags. cache_path (may be NULL) is read and rewritten
 * when the files changed (a cache that cannot be is rebuilt or skipped).
 * *out is the caller's (dlg_rows_free); returns 0.
 */
int dlg_rows_load(dlg_rows **out, dlg_store *s, const char *cache_path,
		  dlg_diags *diags);
/* Rows of tasks already read (archived ones: list --archived), no cache;
 * docs are sorted by id, and stay the caller's; *out is the caller's too
 * (dlg_rows_free). Returns 0. */
int dlg_rows_from_tasks(dlg_rows **out, dlg_node **docs, size_t n);
/* How many rows (0 for NULL). */
size_t dlg_rows_count(const dlg_rows *r);
/* The row of the task file named after `file` (an id), NULL when that
 * file has none (missing or invalid); rows are in file name order.
 * Borrowed from r. */
const dlg_row *dlg_rows_find(const dlg_rows *r, const char *file);
/* The i-th row (i < dlg_rows_count), borrowed from r. */
const dlg_row *dlg_rows_at(const dlg_rows *r, size_t i);
/* Free the rows and all their strings; NULL is fine. */
void dlg_rows_free(dlg_rows *r);
/* As dlg_store_short_id, of one of r's rows, from the ids r was loaded
 * with. */
void dlg_rows_short_id(char out[DLG_TASK_ID_SIZE], dlg_rows *r, const dlg_row *row);

/* ---------------------------------------------------------------------
 * Queries.
 */
typedef struct {
	const char *assignee;   /* --to, or --mine */
	const char *delegator;  /* --by */
	const char *person;     /* assignee or delegator (the agenda's) */
	const char *status;     /* --status: a status, or "open" for not closed */
	const char *org;        /* --org: assignee's org */
	const char *tag;
	const char *due_before; /* YYYY-MM-DD */
	int overdue;
	int core;
	int all; /* include done and cancelled when no status is asked for */
	/* dlg_query_run: each task as far as its row tells (the fields of
	 * dlg_row, see dlg_row_task), no file parsed. */
	int rows_only;
	/* dlg_query_run: the tasks are only read (frozen trees, where the
	 * trees cache has them: one allocation a task, and any change to
	 * one aborts); they are still freed with dlg_nodes_free */
	int frozen;
	const char *sort; /* due (default), priority, created, updated, status, title, assignee */
	int recurring; /* only occurrences of a series (recur) */
	/* free text: each word in the title, why, expectations or feedback,
	 * ignoring case (dlg_task_has_words) */
	const char *const *words;
	size_t nwords;
} dlg_query;

#define DLG_QUERY_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL }

/*
 * Load every task that matches (valid ones; invalid files go to diags) in
 * the order asked. The array and documents belong to the caller
 * (dlg_nodes_free). 0, or dlg_rows_load's error.
 */
int dlg_query_run(dlg_node ***out, size_t *count, dlg_store *s,
		  const dlg_query *q, const dlg_team *team, time_t now,
		  dlg_diags *diags);
/* 1 when key is one of dlg_query's sort keys; else 0. */
int dlg_query_sort_valid(const char *key);
/* The keys a query sorts by (NULL-terminated), the default first. */
extern const char *const dlg_query_sort_keys[];
/*
 * dlg_query_rows, with q's words looked for too: a row whose title holds
 * them all matches from the row alone; only the other rows that pass
 * every other filter have their file read, for the why, expectations and
 * feedback (a file that no longer validates goes to diags). *out is the
 * caller's to free(), its rows borrowed from rows; returns 0.
 */
int dlg_query_select(const dlg_row ***out, size_t *count, dlg_rows *rows,
		     dlg_store *s, const dlg_query *q, const dlg_team *team,
		     time_t now, dlg_diags *diags);
/* Whether every word is in text, ignoring the case of ASCII letters: 1
 * or 0 (1 for no words). */
int dlg_text_has_words(const char *text, const char *const *words,
		       size_t n);
/* Whether every word is somewhere in a task's title, why, expectations
 * (outcome, quality, acceptance criteria, process) or feedback texts:
 * 1 or 0. */
int dlg_task_has_words(const dlg_node *task, const char *const *words,
		       size_t n);
/* The rows that match, in the order asked: *out (the caller's to
 * free()) points into rows. Returns 0. */
int dlg_query_rows(const dlg_row ***out, size_t *count, dlg_rows *rows,
		   const dlg_query *q, const dlg_team *team, time_t now);
/* 1 when the row's task is neither done nor cancelled; else 0. */
int dlg_row_is_open(const dlg_row *r);
/* A task map holding only what the row holds (id, title, status,
 * priority, due, assignee, delegator, created, updated, core, tags,
 * after, estimate_hours; spent_hours, the sum of its time entries, not a field of
 * the format); absent fields stay absent. The caller's (dlg_node_free). */
dlg_node *dlg_row_task(const dlg_row *r);
/* 1 when an open row's due date is before today (dlg_date_format's date
 * of now); else 0. */
int dlg_row_is_overdue(const dlg_row *r, const char *today);
/* Free each document of an array and the array; NULL is fine. */
void dlg_nodes_free(dlg_node **v, size_t count);

/* What needs a person's attention. */
typedef enum {
	DLG_AGENDA_OVERDUE,
	DLG_AGENDA_CHECKPOINT_LATE,
	DLG_AGENDA_REVIEW,
	DLG_AGENDA_DUE_REQUEST,
	DLG_AGENDA_CONFLICT,
	DLG_AGENDA_CONCERN,
	DLG_AGENDA_CHECKIN,
	DLG_AGENDA_BLOCKED,
	DLG_AGENDA_READY, /* what it waited for is done: it can start */
	DLG_AGENDA_CHECKPOINT_SOON,
	DLG_AGENDA_DUE_SOON,
	DLG_AGENDA_DELEGATED_SOON,
	DLG_AGENDA_SUBMITTED,
	DLG_AGENDA_WAITING, /* waits for tasks not done yet */
	DLG_AGENDA_OPEN,
} dlg_agenda_kind;

/* One item of an agenda: what needs attention, and about which task. */
typedef struct {
	dlg_agenda_kind kind;
	const dlg_node *task; /* borrowed from the tasks given */
	const dlg_node *checkpoint; /* for checkpoint items */
	const dlg_node *note; /* concern: the feedback entry */
	/* ready: the dependency done last; waiting: the first not done
	 * (borrowed from the lookup's tasks) */
	const dlg_node *dep;
	/* days late (positive) or until due; review: days waiting; blocked:
	 * days blocked; conflict: how many; check-in: days since the last
	 * one (or the start) */
	long days;
} dlg_agenda_item;

/*
 * What needs a person's attention, as assignee and as delegator. ev (may
 * be NULL) is the history of the tasks blocked or in review: how long
 * they have been so. Concerns (feedback of kind concern, a block's reason
 * included) written by someone else at or after concerns_since are listed
 * for both sides of the task. *out is the caller's to free() (its
 * pointers borrowed from tasks); returns 0.
 */
int dlg_agenda_build(dlg_agenda_item **out, size_t *count,
		     dlg_node *const *tasks, size_t ntasks,
		     const char *handle, time_t now, const dlg_events *ev,
		     time_t concerns_since, const dlg_team *team);
/*
 * Add to an agenda (dlg_agenda_build's, re-sorted) the person's open tasks
 * not yet started that wait for others (after:): "ready" once every one
 * is done (days: since the last of them closed), else "waiting" (days:
 * how many are not done). lookup finds the tasks waited for. *items is
 * grown with realloc; returns 0.
 */
int dlg_agenda_add_after(dlg_agenda_item **items, size_t *count,
			 dlg_node *const *tasks, size_t ntasks,
			 const char *handle, time_t now,
			 dlg_task_lookup_fn lookup, void *payload);
/* A task's autonomy level: its own, else its assignee's (team may be
 * NULL), else NULL: no level chosen. Borrowed. */
const char *dlg_task_autonomy(const dlg_node *task, const dlg_team *team);
/* Days between check-ins a level asks for: follow-steps 2, recommend 4,
 * act-and-report 7; own (and no level) 0: none, only checkpoints and
 * review. */
int dlg_checkin_days(const char *level);
/* Whole days since the task last became `status` (history, else
 * updated). */
long dlg_status_days(const dlg_events *ev, const dlg_node *task,
		     const char *status, time_t now);
/* Whole days since the task last became blocked (history, else updated). */
long dlg_blocked_days(const dlg_events *ev, const dlg_node *task, time_t now);

/* ---------------------------------------------------------------------
 * Reports (SPEC 8): each is a document for cli/ to print as a table, JSON
 * or HTML. docs/reports.md says how each figure is computed.
 */
typedef struct {
	const dlg_node *const *tasks; /* every valid task, done ones too */
	size_t ntasks;
	const dlg_team *team;
	const dlg_node *config;    /* .delegit/config.yaml */
	const dlg_events *events;  /* history, newest first */
	time_t now;
	time_t since, until;       /* the period; 0: open-ended */
	/* The org the input was narrowed to (dlg_report_scope_org), or
	 * NULL: accountability then counts only the team's changes. */
	const char *org;
	/* events grouped by task (dlg_report_index), or NULL: each figure
	 * that needs them so sorts them itself (the page's trend did, for
	 * every week) */
	const dlg_event *const *by_task;
} dlg_report_input;

/* The events grouped by task, newest first within each: a new array of
 * ev->count pointers into ev (the caller frees it), valid while ev is
 * not changed. */
const dlg_event **dlg_report_index(const dlg_events *ev);

/*
 * The reports of docs/reports.md, each a new document in *out (the
 * caller's: dlg_node_free). They return 0: what they cannot judge (no
 * history, no due date) they leave out.
 */
int dlg_report_workload(dlg_node **out, const dlg_report_input *in);
int dlg_report_delivery(dlg_node **out, const dlg_report_input *in);
int dlg_report_sla(dlg_node **out, const dlg_report_input *in);
int dlg_report_matrix(dlg_node **out, const dlg_report_input *in);
int dlg_report_accountability(dlg_node **out, const dlg_report_input *in);
/*
 * By ISO week over the period (the last 8 weeks without --since): the work
 * done that week and its on-time rate, as delivery judges it with the week
 * as the period, and the open tasks at the end of the week (from history).
 */
int dlg_report_trend(dlg_node **out, const dlg_report_input *in);
/* Per org of the team: people, open tasks and hours against capacity,
 * done and on time (sums of workload's and delivery's rows). */
int dlg_report_orgs(dlg_node **out, const dlg_report_input *in);

/* A report input narrowed to one org (--org): its people, the tasks
 * assigned to them and those tasks' history. */
typedef struct {
	dlg_report_input in;
	dlg_team team;     /* the org's people, borrowed */
	const dlg_node **tasks; /* borrowed */
	size_t ntasks;
	dlg_events events; /* shallow copies: dispose with the scope only */
	const dlg_event **by_task; /* of events */
} dlg_report_scope;

/*
 * Narrow in to the people whose org is org and their tasks; out->in is
 * valid while in's data is (dlg_report_scope_dispose). Returns 0, or
 * DLG_ENOTFOUND when nobody in the team is of that org, the message
 * naming the orgs there are.
 */
int dlg_report_scope_org(dlg_report_scope *out, const dlg_report_input *in,
			 const char *org);
/* Free what dlg_report_scope_org made (not the data it borrows). */
void dlg_report_scope_dispose(dlg_report_scope *s);
/* Append one self-contained HTML page with every report (inline CSS and
 * SVG); returns 0. */
int dlg_report_html(dlg_buf *out, const dlg_report_input *in);
/* Who to delegate a task to, best first, each with score and reasons: a
 * new list in *out (the caller's); returns 0. */
int dlg_suggest(dlg_node **out, const dlg_node *task,
		const dlg_report_input *in);
/*
 * A person's plate (docs/reports.md): the hours they recorded in the period
 * (in->since, in->until) by task, core and non-core, the share that went
 * to non-core work; and their open work, each non-core task with the best
 * other person to delegate it to (suggest's first, with its reasons).
 * *out is the caller's; returns 0.
 */
int dlg_plate(dlg_node **out, const char *handle, const dlg_report_input *in);
/* "4h" -> 14400 seconds; units m, h, d, w. 0, or -1 for anything else. */
int dlg_duration_parse(long *out, const char *s);
/* The kind's name as --json shows it ("overdue", ...); static. */
const char *dlg_agenda_kind_name(dlg_agenda_kind k);

#endif
