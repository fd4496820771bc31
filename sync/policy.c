/*
 * The policy against history: every commit judged by the policy and team
 * in force at its parent (sync's incoming commits, `delegit audit`), and
 * enforce mode's rejections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync_internal.h"

/*
 * The rules a commit is judged by: the people of team/ and the policy, as
 * this replica trusts them. Trusted state starts from the tip this replica
 * trusts (sync: HEAD before the remote's commits; the server's hook: the
 * branch before the push; audit: the repository's root, where the first
 * commits bootstrap the team) and takes on each judged commit's changes to
 * team/ and the policy only when they were allowed: a rejected promotion
 * never judges the commit after it. Shared between commits (refs) and
 * copied when a commit changes them.
 */
typedef struct {
	char *path;
	git_oid id;
	dlg_node *doc;
} rule_file;

/* A signing key of the team, parsed once. */
typedef enum { KEY_ACTIVE, KEY_RETIRED, KEY_REVOKED } key_state;

typedef struct {
	dlg_buf blob;
	const dlg_node *person;
	key_state state;
} team_key;

struct dlg_rules {
	unsigned refs;
	int bootstrap;    /* nobody was ever in team/: the first commits */
	size_t count;
	rule_file *files; /* team/, the policy and the configuration, by path */
	dlg_team team;    /* borrows the documents of files */
	const dlg_node *policy; /* borrowed; NULL: the default policy */
	team_key *keys;   /* built when first asked for */
	size_t nkeys;
	int have_keys;
};

static void keys_dispose(dlg_rules *r)
{
	size_t i;

	for (i = 0; i < r->nkeys; i++)
		dlg_buf_dispose(&r->keys[i].blob);
	free(r->keys);
	r->keys = NULL;
	r->nkeys = 0;
	r->have_keys = 0;
}

/* Every key of the team's people; lines that are no key are skipped
 * (`delegit check` names them). -1 when OpenSSL could not read one (out
 * of memory): no key is then taken for missing. */
static int keys_build(dlg_rules *r)
{
	static const char *const lists[] = { "keys", "retired_keys",
					     "revoked_keys" };
	size_t i, k, n;
	int e;

	if (r->have_keys)
		return 0;
	for (i = 0; i < r->team.count; i++)
		for (k = 0; k < 3; k++) {
			const dlg_node *l = dlg_map_get(r->team.people[i],
							lists[k]);

			for (n = 0; l && l->kind == DLG_NODE_SEQ && n < l->count;
			     n++) {
				team_key *tk;

				r->keys = realloc(r->keys, (r->nkeys + 1) *
								   sizeof(*r->keys));
				if (!r->keys)
					abort();
				tk = &r->keys[r->nkeys];
				tk->blob = (dlg_buf)DLG_BUF_INIT;
				e = l->items[n]->value ?
					    dlg_sshkey_parse(&tk->blob,
							     l->items[n]->value) :
					    DLG_EINVALID;
				if (e < 0) {
					dlg_buf_dispose(&tk->blob);
					if (e != DLG_EINVALID) {
						keys_dispose(r);
						return e;
					}
					continue;
				}
				tk->person = r->team.people[i];
				tk->state = (key_state)k;
				r->nkeys++;
			}
		}
	r->have_keys = 1;
	dlg_error_clear();
	return 0;
}

/* *out: the team's key that is blob (NULL: none); a revoked entry wins
 * over others. 0, or keys_build's error. */
static int keys_find(const team_key **out, dlg_rules *r, const dlg_buf *blob)
{
	size_t i;
	int error;

	*out = NULL;
	if ((error = keys_build(r)) < 0)
		return error;
	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].blob.size == blob->size &&
		    !memcmp(r->keys[i].blob.ptr, blob->ptr, blob->size) &&
		    (!*out || r->keys[i].state > (*out)->state))
			*out = &r->keys[i];
	return 0;
}

/* The files only the `repository` roles may change: the team, the policy
 * and the configuration. */
static int is_rule_path(const char *path)
{
	const dlg_schema *s = dlg_schema_for_path(path);

	return s == &dlg_schema_person || s == &dlg_schema_policy ||
	       s == &dlg_schema_config;
}

static dlg_rules *rules_new(int bootstrap)
{
	dlg_rules *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->refs = 1;
	r->bootstrap = bootstrap;
	return r;
}

static dlg_rules *rules_ref(dlg_rules *r)
{
	r->refs++;
	return r;
}

void dlg_sync__rules_free(dlg_rules *r)
{
	size_t i;

	if (!r || --r->refs)
		return;
	for (i = 0; i < r->count; i++) {
		free(r->files[i].path);
		dlg_node_free(r->files[i].doc);
	}
	keys_dispose(r);
	free(r->files);
	free(r->team.people);
	free(r);
}

/* The team and policy views of the files. */
static void rules_index(dlg_rules *r)
{
	size_t i;

	keys_dispose(r);
	free(r->team.people);
	r->team.people = calloc(r->count + 1, sizeof(*r->team.people));
	if (!r->team.people)
		abort();
	r->team.count = 0;
	r->policy = NULL;
	for (i = 0; i < r->count; i++) {
		const dlg_schema *s = dlg_schema_for_path(r->files[i].path);

		if (s == &dlg_schema_policy)
			r->policy = r->files[i].doc;
		else if (s == &dlg_schema_person)
			r->team.people[r->team.count++] = r->files[i].doc;
	}
}

static rule_file *rules_find(const dlg_rules *r, const char *path)
{
	size_t i;

	for (i = 0; r && i < r->count; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

/* Set (doc taken; NULL: remove) one file of *r, copying *r first when
 * another commit shares it. */
static void rules_put(dlg_rules **rp, const char *path, const git_oid *id,
		      dlg_node *doc)
{
	dlg_rules *r = *rp;
	rule_file *f;
	size_t i;

	if (r->refs > 1) {
		dlg_rules *copy = rules_new(r->bootstrap);

		copy->files = calloc(r->count + 1, sizeof(*copy->files));
		if (!copy->files)
			abort();
		for (i = 0; i < r->count; i++) {
			copy->files[i].path = dlg_strdup(r->files[i].path);
			copy->files[i].id = r->files[i].id;
			copy->files[i].doc = dlg_node_dup(r->files[i].doc);
		}
		copy->count = r->count;
		dlg_sync__rules_free(r);
		*rp = r = copy;
	}
	if ((f = rules_find(r, path))) {
		dlg_node_free(f->doc);
		if (doc) {
			f->doc = doc;
			git_oid_cpy(&f->id, id);
		} else {
			free(f->path);
			*f = r->files[--r->count];
		}
	} else if (doc) {
		r->files = realloc(r->files, (r->count + 1) * sizeof(*r->files));
		if (!r->files)
			abort();
		f = &r->files[r->count++];
		f->path = dlg_strdup(path);
		git_oid_cpy(&f->id, id);
		f->doc = doc;
	}
	rules_index(r);
	if (r->team.count)
		r->bootstrap = 0;
}

/* A blob parsed into *out (NULL: it does not validate). -1 when it cannot
 * be read: a read failure is never taken for an invalid file, which
 * would be a verdict. */
static int parse_blob(dlg_node **out, git_repository *g, const git_oid *id,
		      const char *path, const dlg_schema *schema)
{
	git_blob *b = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;

	*out = NULL;
	if (git_blob_lookup(&b, g, id) < 0) {
		dlg_buf what = DLG_BUF_INIT;
		int error;

		dlg_buf_printf(&what, "cannot read '%s'", path);
		error = dlg_sync__error(what.ptr);
		dlg_buf_dispose(&what);
		return error;
	}
	dlg_store_parse(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
			path, schema, &ignore);
	dlg_diags_dispose(&ignore);
	git_blob_free(b);
	return 0;
}

/* A regular file's entry; links and worse are no delegit file. */
static int is_file(const git_tree_entry *e)
{
	return e && (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
		     git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE);
}

static int rules_read_file(dlg_rules **r, git_repository *g,
			   const git_tree_entry *e, const char *path)
{
	dlg_node *doc = NULL;
	int error;

	if (!is_file(e))
		return 0;
	if ((error = parse_blob(&doc, g, git_tree_entry_id(e), path,
				dlg_schema_for_path(path))) < 0 || !doc)
		return error; /* what does not validate holds no rights */
	rules_put(r, path, git_tree_entry_id(e), doc);
	return 0;
}

/* The entry of path in tree (*out NULL: none there); -1 when the tree
 * cannot be read. */
static int entry_bypath(git_tree_entry **out, git_tree *tree,
			const char *path)
{
	int error = git_tree_entry_bypath(out, tree, path);

	if (error == GIT_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	return error < 0 ? dlg_sync__error("cannot read a tree") : 0;
}

/* The team/ folder of a tree (*out NULL: none there). */
static int team_tree(git_tree **out, git_repository *g, git_tree *tree)
{
	git_tree_entry *e = NULL;
	int error;

	*out = NULL;
	if ((error = entry_bypath(&e, tree, "team")) < 0)
		return error;
	if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(out, g, git_tree_entry_id(e)) < 0)
		error = dlg_sync__error("cannot read team/");
	git_tree_entry_free(e);
	return error;
}

/* The team and policy of a tree, as they stand there. */
static int rules_from_tree(dlg_rules **out, git_repository *g, git_tree *tree,
			   int bootstrap)
{
	git_tree_entry *e = NULL;
	git_tree *team = NULL;
	dlg_rules *r = rules_new(bootstrap);
	size_t i;
	int error;

	*out = NULL;
	if ((error = team_tree(&team, g, tree)) < 0)
		goto done;
	for (i = 0; team && i < git_tree_entrycount(team); i++) {
		const git_tree_entry *p = git_tree_entry_byindex(team, i);
		dlg_buf path = DLG_BUF_INIT;

		dlg_buf_printf(&path, "team/%s", git_tree_entry_name(p));
		if (is_rule_path(path.ptr))
			error = rules_read_file(&r, g, p, path.ptr);
		dlg_buf_dispose(&path);
		if (error < 0)
			goto done;
	}
	for (i = 0; i < 2; i++) {
		static const char *const files[] = { ".delegit/policy.yaml",
						      ".delegit/config.yaml" };

		git_tree_entry_free(e);
		e = NULL;
		if ((error = entry_bypath(&e, tree, files[i])) < 0 ||
		    (e && (error = rules_read_file(&r, g, e, files[i])) < 0))
			goto done;
	}
	rules_index(r);
	*out = r;
	r = NULL;
done:
	git_tree_entry_free(e);
	git_tree_free(team);
	dlg_sync__rules_free(r);
	return error;
}

/* Commit id -> the rules after it, for the commits judged so far. */
typedef struct {
	git_oid id;
	dlg_rules *rules;
} rules_slot;

typedef struct {
	rules_slot *slots;
	size_t size, used;
} rules_map;

static size_t slot_of(const rules_map *m, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	for (h %= m->size; m->slots[h].rules; h = (h + 1) % m->size)
		if (git_oid_equal(&m->slots[h].id, id))
			break;
	return h;
}

static dlg_rules *map_get(const rules_map *m, const git_oid *id)
{
	return m->size ? m->slots[slot_of(m, id)].rules : NULL;
}

static void map_put(rules_map *m, const git_oid *id, dlg_rules *r)
{
	size_t i, h;

	if (2 * (m->used + 1) > m->size) {
		rules_map grown = { NULL, m->size ? 2 * m->size : 64, 0 };

		grown.slots = calloc(grown.size, sizeof(*grown.slots));
		if (!grown.slots)
			abort();
		for (i = 0; i < m->size; i++)
			if (m->slots[i].rules) {
				h = slot_of(&grown, &m->slots[i].id);
				grown.slots[h] = m->slots[i];
				grown.used++;
			}
		free(m->slots);
		*m = grown;
	}
	h = slot_of(m, id);
	if (m->slots[h].rules)
		dlg_sync__rules_free(m->slots[h].rules);
	else
		m->used++;
	git_oid_cpy(&m->slots[h].id, id);
	m->slots[h].rules = r;
}

static void map_dispose(rules_map *m)
{
	size_t i;

	for (i = 0; i < m->size; i++)
		dlg_sync__rules_free(m->slots[i].rules);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* A change to team/ or the policy that a commit made, and whether it was
 * allowed. */
typedef struct {
	char *path;
	git_oid id; /* zero: removed */
	dlg_node *doc;
	int allowed;
} rule_change;

typedef struct {
	git_repository *git;
	dlg_trees trees;
	rules_map map;
	dlg_rules *trusted;  /* the rules of parents not judged here */
	const git_oid *root; /* audit: the repository's own first commit */
	dlg_violations *out;
	time_t since;
	/* the commit being judged */
	git_commit *commit, *parent;
	dlg_rules *rules;
	const dlg_node *who;
	const char *email;
	int merge; /* the changes are the merger's own, beyond the field merge */
	dlg_buf unverified; /* signatures required, and why this one is not */
	/* audit: the keys the tip says are revoked, and the commits found
	 * verified by one of them (checked after the walk) */
	dlg_rules *tip_rules;
	struct {
		git_oid commit;
		const team_key *key;
	} *revoked;
	size_t nrevoked;
	rule_change *changes;
	size_t nchanges;
	/* The last valid version of each file some commit broke: the change
	 * that mends it is judged from there. */
	struct {
		char *path;
		git_oid id;
	} *valid;
	size_t nvalid;
	int error; /* a read failed (dlg_error says which): no verdict */
} judge;

static git_oid *last_valid(judge *j, const char *path, int add)
{
	size_t i;

	for (i = 0; i < j->nvalid; i++)
		if (!strcmp(j->valid[i].path, path))
			return &j->valid[i].id;
	if (!add)
		return NULL;
	j->valid = realloc(j->valid, (j->nvalid + 1) * sizeof(*j->valid));
	if (!j->valid)
		abort();
	j->valid[j->nvalid].path = dlg_strdup(path);
	memset(&j->valid[j->nvalid].id, 0, sizeof(git_oid));
	return &j->valid[j->nvalid++].id;
}

static void hex_or_null(char **out, const git_oid *id)
{
	char hex[DLG_HEX_ID_SIZE];

	if (!id)
		return;
	git_oid_tostr(hex, sizeof(hex), id);
	*out = dlg_strdup(hex);
}

/* A violation of the commit as a whole (its signature), not of a file. */
#define SIGNATURE_PATH "(signature)"

/* Whether the person file of handle in the commit's parent listed blob
 * among its (active) keys: a retired key still verifies what it signed
 * before it was retired. -1 when the parent cannot be read. */
static int key_held_at_parent(git_repository *g, git_commit *parent,
			      const char *handle, const dlg_buf *blob)
{
	git_tree *t = NULL;
	git_oid id;
	dlg_buf path = DLG_BUF_INIT, have = DLG_BUF_INIT;
	dlg_node *doc = NULL;
	const dlg_node *keys;
	size_t i;
	int held = 0;

	if (!parent)
		return 0;
	if (git_commit_tree(&t, parent) < 0)
		return dlg_sync__error("cannot read a commit");
	dlg_buf_printf(&path, "team/%s.yaml", handle);
	if (dlg_sync__tree_oid(&id, t, path.ptr) < 0 ||
	    (!git_oid_is_zero(&id) &&
	     parse_blob(&doc, g, &id, path.ptr, &dlg_schema_person) < 0)) {
		held = -1;
		goto done;
	}
	keys = dlg_map_get(doc, "keys");
	for (i = 0; keys && keys->kind == DLG_NODE_SEQ && !held &&
		    i < keys->count; i++) {
		int e = keys->items[i]->value ?
				dlg_sshkey_parse(&have, keys->items[i]->value) :
				DLG_EINVALID;

		if (e < 0 && e != DLG_EINVALID) {
			held = e; /* OpenSSL could not read it: no verdict */
			goto done;
		}
		held = !e && have.size == blob->size &&
		       !memcmp(have.ptr, blob->ptr, blob->size);
	}
	dlg_error_clear();
done:
	dlg_node_free(doc);
	dlg_buf_dispose(&have);
	dlg_buf_dispose(&path);
	git_tree_free(t);
	return held;
}

static int has_email(const dlg_node *person, const char *email)
{
	const dlg_node *e = dlg_map_get(person, "emails");
	size_t i;

	for (i = 0; email && e && e->kind == DLG_NODE_SEQ && i < e->count; i++)
		if (e->items[i]->value && !strcasecmp(e->items[i]->value, email))
			return 1;
	return 0;
}

void dlg_sync__signature_dispose(dlg_sync_signature *s)
{
	dlg_buf_dispose(&s->why);
	dlg_buf_dispose(&s->key);
	dlg_buf_dispose(&s->blob);
}

/*
 * Check a commit's signature against the keys of the team in r (SPEC 3):
 * verified when it checks against a key r holds as active for the person
 * whose email authored it, or as retired when the commit's parent still
 * listed it as active (what a retired key signed before stays verified).
 */
void dlg_sync__check_signature(dlg_sync_signature *out, dlg_rules *r,
			       git_repository *g, git_commit *c,
			       git_commit *parent)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	dlg_buf *key = &out->blob;
	const char *email = git_commit_author(c)->email;
	const team_key *k;
	git_oid id;
	int e, held = 1;

	memset(out, 0, sizeof(*out));
	out->key = (dlg_buf)DLG_BUF_INIT;
	out->why = (dlg_buf)DLG_BUF_INIT;
	out->blob = (dlg_buf)DLG_BUF_INIT;
	git_oid_cpy(&id, git_commit_id(c));
	/* Most commits are unsigned: their header, already read, says so,
	 * where extracting reads the whole commit again. */
	e = git_commit_header_field(&sig, c, "gpgsig");
	git_buf_dispose(&sig);
	if (e != GIT_ENOTFOUND)
		e = git_commit_extract_signature(&sig, &data, g, &id, NULL);
	if (e == GIT_ENOTFOUND) {
		dlg_buf_puts(&out->why, "unsigned");
	} else if (e < 0) {
		/* Its header has one (above): the commit could not be read
		 * again, which is no verdict on it (the judge stops). */
		dlg_buf_puts(&out->why, "its signature cannot be read");
		out->bad = 1;
		out->error = dlg_sync__error("cannot read a commit's signature");
		goto done;
	} else if (strncmp(sig.ptr, "-----BEGIN SSH SIGNATURE-----", 29)) {
		dlg_buf_puts(&out->why, "signed with OpenPGP or X.509, which "
					"delegit does not check (gpg.format=ssh)");
	} else if ((e = dlg_sshsig_verify(key, sig.ptr, sig.size, "git",
					  data.ptr, data.size)) < 0 &&
		   e != DLG_EINVALID) {
		/* OpenSSL could not check it (out of memory): no verdict on
		 * the signature (the judge stops) */
		dlg_buf reason = DLG_BUF_INIT;

		/* a copy: the message is never formatted from itself */
		dlg_buf_puts(&reason, dlg_error_last());
		dlg_buf_printf(&out->why, "its signature cannot be checked: %s",
			       reason.ptr);
		dlg_error_set("cannot check a commit's signature: %s",
			      reason.ptr);
		dlg_buf_dispose(&reason);
		out->bad = 1;
		out->error = e;
		goto done;
	} else if (e < 0) {
		dlg_buf_printf(&out->why, "a bad signature (%s)",
			       dlg_error_last());
		out->bad = 1;
	} else {
		if ((e = dlg_sshkey_fingerprint(&out->key, key->ptr,
						 key->size)) < 0) {
			out->error = e; /* no verdict: the message says why */
			goto done;
		}
		if ((e = keys_find(&k, r, key)) < 0) {
			out->error = e; /* no verdict: the message says why */
			goto done;
		}
		if (k && k->state == KEY_RETIRED &&
		    (held = key_held_at_parent(g, parent,
					       dlg_map_get_str(k->person,
							       "handle"),
					       key)) < 0) {
			out->error = held; /* no verdict: the message says why */
			goto done;
		}
		out->holder = k ? k->person : NULL;
		out->active = k && k->state == KEY_ACTIVE;
		if (!k)
			dlg_buf_printf(&out->why, "signed by a key nobody in "
				       "team/ holds (%s)", out->key.ptr);
		else if (k->state == KEY_REVOKED)
			dlg_buf_printf(&out->why, "signed by %s's revoked key "
				       "(%s)", dlg_map_get_str(k->person,
							       "handle"),
				       out->key.ptr);
		else if (k->state == KEY_RETIRED && !held)
			dlg_buf_printf(&out->why, "signed by %s's retired key "
				       "(%s) after its retirement",
				       dlg_map_get_str(k->person, "handle"),
				       out->key.ptr);
		else if (!has_email(k->person, email))
			dlg_buf_printf(&out->why, "authored as '%s' but signed "
				       "by %s's key (%s)", email,
				       dlg_map_get_str(k->person, "handle"),
				       out->key.ptr);
		else
			out->signer = k->person;
	}
	dlg_error_clear();
done:
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

/* Audit: a commit verified at its parent by a key that the tip says is
 * revoked; after the walk, whether it was held before the revocation. */
static int note_revoked(judge *j, const dlg_sync_signature *s)
{
	const team_key *k;
	int error;

	if ((error = keys_find(&k, j->tip_rules, &s->blob)) < 0 || !k ||
	    k->state != KEY_REVOKED)
		return error;
	j->revoked = realloc(j->revoked, (j->nrevoked + 1) * sizeof(*j->revoked));
	if (!j->revoked)
		abort();
	git_oid_cpy(&j->revoked[j->nrevoked].commit, git_commit_id(j->commit));
	j->revoked[j->nrevoked++].key = k;
	return 0;
}

/* Whether team/<handle>.yaml of commit c lists blob among revoked_keys;
 * -1 when c cannot be read. */
static int revoked_in(git_repository *g, git_commit *c, const char *handle,
		      const dlg_buf *blob)
{
	git_tree *t = NULL;
	dlg_rules *r = NULL;
	const team_key *k;
	int yes;

	if (git_commit_tree(&t, c) < 0)
		return dlg_sync__error("cannot read a commit");
	if ((yes = rules_from_tree(&r, g, t, 0)) == 0 &&
	    (yes = keys_find(&k, r, blob)) == 0)
		yes = k && k->state == KEY_REVOKED &&
		      !strcmp(dlg_map_get_str(k->person, "handle"), handle);
	dlg_sync__rules_free(r);
	git_tree_free(t);
	return yes;
}

/*
 * Revoking a key is absolute (SPEC 3): what it signed that was not held
 * before the revocation is unverified, whatever its parent. The
 * revocation is the oldest commit of the tip's first-parent line that
 * still lists the key as revoked; a commit it signed is held before it
 * when it is that commit's ancestor.
 */
static int check_revoked(judge *j, const git_oid *tip)
{
	size_t i;

	for (i = 0; i < j->nrevoked; i++) {
		const team_key *k = j->revoked[i].key;
		const char *handle = dlg_map_get_str(k->person, "handle");
		git_commit *c = NULL, *p = NULL;
		git_oid revoked;
		dlg_buf fp = DLG_BUF_INIT;
		int error = 0, yes = 0;

		if (git_commit_lookup(&c, j->git, tip) < 0)
			return dlg_sync__error("cannot read a commit");
		git_oid_cpy(&revoked, tip);
		/* (a parent not read would end the line early, and a later
		 * revocation holds more: an error, never a verdict) */
		while (git_commit_parentcount(c)) {
			if (git_commit_parent(&p, c, 0) < 0) {
				error = dlg_sync__error("cannot read a commit");
				break;
			}
			if ((yes = revoked_in(j->git, p, handle, &k->blob)) <= 0)
				break;
			git_commit_free(c);
			c = p;
			p = NULL;
			git_oid_cpy(&revoked, git_commit_id(c));
		}
		git_commit_free(p);
		git_commit_free(c);
		if (error < 0 || yes < 0)
			return error < 0 ? error : yes;
		if ((error = git_graph_descendant_of(j->git, &revoked,
						     &j->revoked[i].commit)) < 0)
			return dlg_sync__error("cannot read history");
		if (error == 1)
			continue;
		if (dlg_sshkey_fingerprint(&fp, k->blob.ptr, k->blob.size) < 0)
			return -1;
		dlg_violations_add(j->out, SIGNATURE_PATH, "", handle, NULL,
				   NULL, "signed by %s's revoked key (%s), and "
				   "not held before its revocation", handle,
				   fp.ptr);
		hex_or_null(&j->out->items[j->out->count - 1].commit,
			    &j->revoked[i].commit);
		dlg_buf_dispose(&fp);
	}
	return 0;
}

/*
 * Who stands behind a commit: the verified signer; else, with
 * `signatures: required`, nobody (why in j->unverified: every change it
 * makes is a violation); else the person the author's email names, or
 * the holder of the key it was signed with when that key is theirs. A bad
 * signature, or a team key used wrongly, is a violation in any mode.
 */
static void judge_signature(judge *j)
{
	const char *mode = dlg_map_get_str(j->rules->policy, "signatures");
	int required = mode && !strcmp(mode, "required");
	dlg_sync_signature s;

	dlg_sync__check_signature(&s, j->rules, j->git, j->commit, j->parent);
	if (s.error < 0) {
		j->error = s.error;
		dlg_sync__signature_dispose(&s);
		return;
	}
	j->who = s.signer ? s.signer
			  : dlg_team_find_email(&j->rules->team, j->email);
	if (s.signer && j->tip_rules && (j->error = note_revoked(j, &s)) < 0) {
		dlg_sync__signature_dispose(&s);
		return;
	}
	if (!s.signer && (required || s.bad || s.holder)) {
		dlg_violations_add(j->out, SIGNATURE_PATH, "",
				   s.holder ? dlg_map_get_str(s.holder, "handle")
					    : j->email,
				   NULL, NULL, "%s%s", s.why.ptr,
				   required ? " (rule signatures: required)" : "");
		hex_or_null(&j->out->items[j->out->count - 1].commit,
			    git_commit_id(j->commit));
	}
	if (!s.signer && required) {
		dlg_buf_dispose(&j->unverified);
		j->unverified = s.why;
		s.why = (dlg_buf)DLG_BUF_INIT;
		j->who = NULL;
	} else if (!s.signer && s.holder && s.active) {
		j->who = s.holder; /* judged as the key's holder */
	}
	dlg_sync__signature_dispose(&s);
}


/* A task's stamps say when and by whom it changed last: a commit that
 * sets them must tell the truth, as the merge trusts them. */
static void judge_stamps(judge *j, const char *path, const dlg_node *a,
			 const dlg_node *b)
{
	const char *ua = dlg_map_get_str(a, "updated");
	const char *ub = dlg_map_get_str(b, "updated");
	const char *wa = dlg_map_get_str(a, "updated_by");
	const char *wb = dlg_map_get_str(b, "updated_by");
	const char *handle = dlg_map_get_str(j->who, "handle");
	const git_signature *au = git_commit_author(j->commit);
	time_t t, when = (time_t)au->when.time, latest;
	char at[DLG_TIME_SIZE], limit[DLG_TIME_SIZE];

	if ((time_t)git_commit_time(j->commit) > when)
		when = (time_t)git_commit_time(j->commit);
	dlg_sync__stamp_limit(limit, j->commit);
	if (ub && (!ua || strcmp(ua, ub)) && !dlg_time_parse(&t, ub) &&
	    !dlg_time_parse(&latest, limit) && t > latest) {
		dlg_time_format(at, when);
		dlg_violations_add(j->out, path, "updated",
				   handle ? handle : j->email, ua, ub,
				   "'updated' %s is later than its commit's time "
				   "(%s; 5 minutes allowed)", ub, at);
	}
	if (wb && handle && (!wa || strcmp(wa, wb)) && strcmp(wb, handle))
		dlg_violations_add(j->out, path, "updated_by", handle, wa, wb,
				   "'updated_by' names '%s', but the change is "
				   "'%s''s", wb, handle);
}

/* One file a commit changed, from version a (NULL: added): from its
 * parent, or from the field merge of its parents. */
static void judge_file(judge *j, const char *path, const git_oid *ea,
		       const git_tree_entry *eb)
{
	const dlg_schema *schema = dlg_schema_for_path(path);
	dlg_node *a = NULL, *b = NULL;
	const git_oid *from = NULL;
	size_t before = j->out->count, i;
	char id[DLG_HEX_ID_SIZE];

	if (!schema || j->error)
		return;
	if ((ea && (j->error = parse_blob(&a, j->git, ea, path, schema)) < 0) ||
	    (ea && !a && (from = last_valid(j, path, 0)) &&
	     !git_oid_is_zero(from) &&
	     (j->error = parse_blob(&a, j->git, from, path, schema)) < 0) ||
	    (eb && is_file(eb) &&
	     (j->error = parse_blob(&b, j->git, git_tree_entry_id(eb), path,
				    schema)) < 0)) {
		dlg_node_free(a);
		return;
	}
	if (eb && (!is_file(eb) || !b)) {
		dlg_violations_add(j->out, path, DLG_INVALID_FILE,
				   j->email, NULL, NULL,
				   "the file is not a valid delegit %s file "
				   "(see 'delegit check')", schema->name);
		if (a && !from) /* it breaks here: remember what it was */
			git_oid_cpy(last_valid(j, path, 1), ea);
	} else if (j->unverified.size) {
		/* Nobody's word stands behind it: nothing it changed stays. */
		dlg_violations_add(j->out, path, NULL, j->email, NULL, NULL,
				   "changed by a commit that is not verified: %s "
				   "(rule signatures: required)",
				   j->unverified.ptr);
	} else if (!j->rules->bootstrap) {
		dlg_policy_judge(j->out, j->rules->policy, j->who, j->email,
				 path, a, b);
		/* (a task refused whole needs no word on its stamps) */
		if (b && schema == &dlg_schema_task &&
		    (j->out->count == before ||
		     *j->out->items[j->out->count - 1].field))
			judge_stamps(j, path, a, b);
	}
	git_oid_tostr(id, sizeof(id), git_commit_id(j->commit));
	for (i = before; i < j->out->count; i++) {
		dlg_violation *v = &j->out->items[i];

		v->commit = dlg_strdup(id);
		hex_or_null(&v->before, from && !git_oid_is_zero(from) ? from : ea);
		hex_or_null(&v->after, eb ? git_tree_entry_id(eb) : NULL);
		if (j->merge) {
			dlg_buf m = DLG_BUF_INIT;

			dlg_buf_printf(&m, "%s (in a merge, beyond the field "
				       "merge of its parents)", v->message);
			free(v->message);
			v->message = dlg_buf_detach(&m);
		}
	}
	if (is_rule_path(path)) {
		rule_change *c;

		j->changes = realloc(j->changes,
				     (j->nchanges + 1) * sizeof(*j->changes));
		if (!j->changes)
			abort();
		c = &j->changes[j->nchanges++];
		c->path = dlg_strdup(path);
		memset(&c->id, 0, sizeof(c->id));
		if (b)
			git_oid_cpy(&c->id, git_tree_entry_id(eb));
		c->doc = b;
		c->allowed = j->out->count == before && (b || !eb);
		b = NULL;
	}
	dlg_node_free(a);
	dlg_node_free(b);
}

static int judge_change(const char *path, const git_tree_entry *ea,
			const git_tree_entry *eb, void *payload)
{
	judge *j = payload;

	judge_file(j, path, ea ? git_tree_entry_id(ea) : NULL, eb);
	return j->error;
}


static void rules_oid(git_oid *out, const dlg_rules *r, const char *path)
{
	const rule_file *f = rules_find(r, path);

	memset(out, 0, sizeof(*out));
	if (f)
		git_oid_cpy(out, &f->id);
}

/* Every team/ path of a tree, and the policy's, appended to out. */
static int rule_paths(char ***out, size_t *n, git_repository *g,
		      git_tree *tree, const dlg_rules *r)
{
	git_tree *team = NULL;
	size_t i;
	int error;

#define PUSH(p)                                                         \
	do {                                                            \
		*out = realloc(*out, (*n + 1) * sizeof(**out));         \
		if (!*out)                                              \
			abort();                                        \
		(*out)[(*n)++] = dlg_strdup(p);                             \
	} while (0)
	for (i = 0; i < r->count; i++)
		PUSH(r->files[i].path);
	PUSH(".delegit/policy.yaml");
	PUSH(".delegit/config.yaml");
	if ((error = team_tree(&team, g, tree)) < 0)
		return error;
	for (i = 0; team && i < git_tree_entrycount(team); i++) {
		dlg_buf p = DLG_BUF_INIT;

		dlg_buf_printf(&p, "team/%s", git_tree_entry_name(
				       git_tree_entry_byindex(team, i)));
		if (is_rule_path(p.ptr))
			PUSH(p.ptr);
		dlg_buf_dispose(&p);
	}
	git_tree_free(team);
	return 0;
#undef PUSH
}

/* A merge commit's parents' trees and their merge base's. */
typedef struct {
	git_tree *base, *t1, *t2;
	char latest1[DLG_TIME_SIZE], latest2[DLG_TIME_SIZE]; /* each side's stamp limit */
} merge_trees;

static void merge_trees_dispose(merge_trees *m)
{
	git_tree_free(m->base);
	git_tree_free(m->t1);
	git_tree_free(m->t2);
}

/* The version of path the field merge of the parents gives (the first
 * parent's where they cannot be merged); -1 when a version cannot be
 * read. */
static int expected_oid(git_oid *out, judge *j, merge_trees *m,
			const char *path)
{
	int error = dlg_sync__merge_path(out, j->git, m->base, m->t1, m->t2,
					 m->latest1, m->latest2, path);

	if (error == DLG_ECONFLICT || error == DLG_EINVALID)
		error = dlg_sync__tree_oid(out, m->t1, path);
	return error;
}

/*
 * A merge's rules: the first parent's, and of what the merge's tree holds
 * beyond them, a file the field merge made from versions each parent
 * trusted, or the merger's own allowed change.
 */
static int merge_rules(dlg_rules **r, judge *j, merge_trees *m,
		       git_tree *tree)
{
	git_tree *pt[2] = { m->t1, m->t2 };
	char **paths = NULL;
	size_t n = 0, i, k, p;
	int error;

	if ((error = rule_paths(&paths, &n, j->git, tree, *r)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		git_oid have, want, exp;
		dlg_node *doc = NULL;
		int take = 0;

		rules_oid(&have, *r, paths[i]);
		if ((error = dlg_sync__tree_oid(&want, tree, paths[i])) < 0)
			goto done;
		if (git_oid_equal(&have, &want))
			continue;
		for (k = 0; k < j->nchanges; k++)
			if (!strcmp(j->changes[k].path, paths[i]))
				break;
		if (k < j->nchanges) {
			take = j->changes[k].allowed;
		} else {
			if ((error = expected_oid(&exp, j, m, paths[i])) < 0)
				goto done;
			take = git_oid_equal(&exp, &want);
			for (p = 0; take && p < 2; p++) {
				const dlg_rules *pr = map_get(
					&j->map, git_commit_parent_id(j->commit,
								      (unsigned)p));
				git_oid a, b;

				rules_oid(&a, pr ? pr : j->trusted, paths[i]);
				if ((error = dlg_sync__tree_oid(&b, pt[p],
								paths[i])) < 0)
					goto done;
				take = git_oid_equal(&a, &b);
			}
		}
		if (!take)
			continue;
		if (!git_oid_is_zero(&want) &&
		    (error = parse_blob(&doc, j->git, &want, paths[i],
					dlg_schema_for_path(paths[i]))) < 0)
			goto done;
		rules_put(r, paths[i], doc ? &want : NULL, doc);
	}
done:
	dlg_strv_free(paths, n);
	return error;
}

/* A merge commit's own changes: each delegit file it holds otherwise than
 * the field merge of its parents would, judged from that merge. */
static int judge_merge(judge *j, merge_trees *m, git_tree *tree)
{
	dlg_buf buf = DLG_BUF_INIT;
	char **paths = NULL;
	const char *p;
	size_t n1 = 0, n2 = 0, i;
	int error = 0;

	if (dlg_sync__changed_paths(&buf, &n1, &j->trees, git_tree_id(m->t1),
				    git_tree_id(tree)) < 0 ||
	    dlg_sync__changed_paths(&buf, &n2, &j->trees, git_tree_id(m->t2),
				    git_tree_id(tree)) < 0) {
		error = dlg_sync__error("cannot read a commit");
		goto done;
	}
	if (!(paths = calloc(n1 + n2 + 1, sizeof(*paths))))
		abort();
	for (i = 0, p = buf.ptr; i < n1 + n2; i++, p += strlen(p) + 1)
		paths[i] = (char *)p;
	qsort(paths, n1 + n2, sizeof(*paths), dlg_strp_cmp);
	for (i = 0; i < n1 + n2; i++) {
		git_tree_entry *e = NULL;
		git_oid exp;

		if ((i && !strcmp(paths[i], paths[i - 1])) ||
		    !dlg_schema_for_path(paths[i]))
			continue;
		if ((error = expected_oid(&exp, j, m, paths[i])) < 0 ||
		    (error = entry_bypath(&e, tree, paths[i])) < 0)
			goto done;
		if (!(e ? is_file(e) && git_oid_equal(git_tree_entry_id(e), &exp)
			: git_oid_is_zero(&exp)))
			judge_file(j, paths[i],
				   git_oid_is_zero(&exp) ? NULL : &exp, e);
		git_tree_entry_free(e);
		if ((error = j->error) < 0)
			goto done;
	}
done:
	free(paths);
	dlg_buf_dispose(&buf);
	return error;
}

static int merge_trees_of(merge_trees *m, git_repository *g, git_commit *c)
{
	git_commit *p1 = NULL, *p2 = NULL;
	int error = 0;

	memset(m, 0, sizeof(*m));
	if (git_commit_parent(&p1, c, 0) < 0 || git_commit_parent(&p2, c, 1) < 0 ||
	    git_commit_tree(&m->t1, p1) < 0 || git_commit_tree(&m->t2, p2) < 0)
		error = dlg_sync__error("cannot read a merge commit's parents");
	else
		error = dlg_sync__merge_base_tree(&m->base, g, p1, p2);
	if (!error) {
		dlg_sync__stamp_limit(m->latest1, p1);
		dlg_sync__stamp_limit(m->latest2, p2);
	}
	git_commit_free(p1);
	git_commit_free(p2);
	return error;
}

static int judge_commit(judge *j, git_commit *commit)
{
	git_tree *tree = NULL, *base = NULL;
	merge_trees m;
	dlg_rules *r;
	dlg_violations all = DLG_VIOLATIONS_INIT, *report = j->out;
	size_t i, np = git_commit_parentcount(commit);
	int error = 0;

	memset(&m, 0, sizeof(m));
	j->commit = commit;
	if (np && (r = map_get(&j->map, git_commit_parent_id(commit, 0))))
		rules_ref(r);
	else if (!np && j->root && git_oid_equal(j->root, git_commit_id(commit)))
		r = rules_new(1); /* the repository's first commit */
	else
		r = rules_ref(j->trusted);
	j->rules = r;
	j->email = git_commit_author(commit)->email;
	j->merge = np == 2;
	if (j->since && git_commit_time(commit) < j->since)
		j->out = &all; /* judged for the rules it passes on only */
	if (git_commit_tree(&tree, commit) < 0 ||
	    (np && git_commit_parent(&j->parent, commit, 0) < 0) ||
	    (np && !j->merge && git_commit_tree(&base, j->parent) < 0)) {
		error = dlg_sync__error("cannot read a commit");
		goto done;
	}
	if (r->bootstrap)
		j->who = NULL;
	else
		judge_signature(j);
	if ((error = j->error) < 0)
		goto done;
	if (j->merge) {
		/* an octopus is judged against its first parent */
		if ((error = merge_trees_of(&m, j->git, commit)) < 0 ||
		    (error = judge_merge(j, &m, tree)) < 0 ||
		    (error = merge_rules(&r, j, &m, tree)) < 0)
			goto done;
	} else {
		if (dlg_sync__tree_changes(&j->trees,
					   base ? git_tree_id(base) : NULL,
					   git_tree_id(tree), judge_change, j) < 0) {
			/* (judge_file's own failure said what it could not
			 * read) */
			error = j->error ? j->error
					 : dlg_sync__error("cannot read a commit");
			goto done;
		}
		for (i = 0; i < j->nchanges; i++) {
			rule_change *c = &j->changes[i];

			if (!c->allowed)
				continue;
			rules_put(&r, c->path, c->doc ? &c->id : NULL, c->doc);
			c->doc = NULL;
		}
	}
	map_put(&j->map, git_commit_id(commit), r);
	r = NULL;
done:
	for (i = 0; i < j->nchanges; i++) {
		free(j->changes[i].path);
		dlg_node_free(j->changes[i].doc);
	}
	free(j->changes);
	j->changes = NULL;
	j->nchanges = 0;
	j->out = report;
	dlg_buf_dispose(&j->unverified);
	git_commit_free(j->parent);
	j->parent = NULL;
	merge_trees_dispose(&m);
	dlg_violations_dispose(&all);
	dlg_sync__rules_free(r);
	git_tree_free(base);
	git_tree_free(tree);
	return error;
}

int dlg_sync__rules_enforced(const dlg_rules *r)
{
	return dlg_policy_enforced(r->policy);
}

/* Whether some commit of tip's history had anyone in team/. */
static int team_ever(int *out, git_repository *g, const git_oid *tip)
{
	git_revwalk *rw = NULL;
	git_oid id;
	int error = 0;

	*out = 0;
	if (git_revwalk_new(&rw, g) < 0 || git_revwalk_push(rw, tip) < 0) {
		git_revwalk_free(rw);
		return dlg_sync__error("cannot walk history");
	}
	while (!*out && !(error = git_revwalk_next(&id, rw))) {
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_tree *team = NULL;

		/* A commit or tree not read could be the one with a team:
		 * taken as one, never as a reason to bootstrap (a history
		 * whose old objects are gone is still walked: see
		 * test_history__commit_bytes_served_from_the_cache). */
		if (git_commit_lookup(&c, g, &id) < 0 ||
		    git_commit_tree(&t, c) < 0 || team_tree(&team, g, t) < 0)
			*out = 1;
		else
			*out = team && git_tree_entrycount(team) > 0;
		git_tree_free(team);
		git_tree_free(t);
		git_commit_free(c);
	}
	git_revwalk_free(rw);
	if (error < 0 && error != GIT_ITEROVER)
		*out = 1; /* (the walk stopped at a commit not read: the same) */
	return 0;
}

int dlg_sync__trusted_rules(dlg_rules **out, dlg_repo *r, const git_oid *tip)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int seen = 0, error = 0;

	*out = NULL;
	if (!tip) {
		*out = rules_new(1);
		return 0;
	}
	if (git_commit_lookup(&c, r->git, tip) < 0 ||
	    git_commit_tree(&tree, c) < 0) {
		error = dlg_sync__error("cannot read the trusted commit");
		goto done;
	}
	if ((error = rules_from_tree(out, r->git, tree, 0)) < 0)
		goto done;
	/* The bootstrap of an empty team is for a repository's first
	 * commits, never for a team emptied later. */
	if (!(*out)->team.count) {
		if ((error = team_ever(&seen, r->git, tip)) < 0)
			goto done;
		(*out)->bootstrap = !seen;
	}
done:
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

int dlg_sync__judge(dlg_judgement *out, dlg_repo *r, const git_oid *tip,
		    const git_oid *trusted, time_t since)
{
	git_revwalk *rw = NULL;
	judge j;
	git_oid oid, root;
	int error = 0;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.git = r->git;
	j.trees.git = r->git;
	j.out = &out->violations;
	j.since = since;
	if (trusted) {
		if ((error = dlg_sync__trusted_rules(&j.trusted, r, trusted)) < 0)
			goto done;
	} else {
		/* All history: the first commit is the repository's own; any
		 * other root came from elsewhere and has no rights. */
		git_commit *c = NULL, *parent = NULL;

		if (git_commit_lookup(&c, r->git, tip) < 0) {
			error = dlg_sync__error("cannot read a commit");
			goto done;
		}
		while (git_commit_parentcount(c)) {
			if (git_commit_parent(&parent, c, 0) < 0) {
				git_commit_free(c);
				error = dlg_sync__error("cannot read a commit");
				goto done;
			}
			git_commit_free(c);
			c = parent;
		}
		git_oid_cpy(&root, git_commit_id(c));
		git_commit_free(c);
		j.root = &root;
		j.trusted = rules_new(0);
		if ((error = dlg_sync__trusted_rules(&j.tip_rules, r, tip)) < 0)
			goto done;
	}
	out->enforce = dlg_sync__rules_enforced(j.trusted);
	if (git_revwalk_new(&rw, r->git) < 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(rw, tip) < 0 ||
	    (trusted && git_revwalk_hide(rw, trusted) < 0)) {
		error = dlg_sync__error("cannot walk history");
		goto done;
	}
	while (!(error = git_revwalk_next(&oid, rw))) {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, r->git, &oid) < 0) {
			error = dlg_sync__error("cannot read a commit");
			break;
		}
		error = judge_commit(&j, c);
		git_commit_free(c);
		if (error < 0)
			break;
	}
	if (error == GIT_ITEROVER)
		error = 0;
	if (!error && j.nrevoked)
		error = check_revoked(&j, tip);
	if (!error) {
		dlg_rules *last = map_get(&j.map, tip);

		out->rules = rules_ref(last ? last : j.trusted);
	}
done:
	for (size_t i = 0; i < j.nvalid; i++)
		free(j.valid[i].path);
	free(j.valid);
	free(j.revoked);
	dlg_sync__rules_free(j.tip_rules);
	map_dispose(&j.map);
	dlg_sync__rules_free(j.trusted);
	dlg_sync__trees_dispose(&j.trees);
	git_revwalk_free(rw);
	return error;
}

void dlg_judgement_dispose(dlg_judgement *j)
{
	dlg_violations_dispose(&j->violations);
	dlg_sync__rules_free(j->rules);
	j->rules = NULL;
}

int dlg_repo_audit(dlg_violations *out, dlg_repo *r, time_t since)
{
	dlg_judgement j;
	git_oid head;
	int error;

	memset(out, 0, sizeof(*out));
	/* No commit is nothing to audit; a HEAD that cannot be read (a
	 * corrupt branch file) is an error, never a clean history. */
	error = git_reference_name_to_id(&head, r->git, "HEAD");
	if (error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH)
		return 0;
	if (error < 0)
		return dlg_sync__error("cannot read HEAD");
	if ((error = dlg_sync__judge(&j, r, &head, NULL, since)) < 0) {
		dlg_judgement_dispose(&j);
		return error;
	}
	*out = j.violations;
	memset(&j.violations, 0, sizeof(j.violations));
	dlg_judgement_dispose(&j);
	return 0;
}

/* A blob (hex id; NULL: none) parsed into *out (NULL: none, or it does
 * not validate), its text into text if given. -1 when it cannot be read:
 * never an empty file, which would remove the file taken back. */
static int doc_of(dlg_node **out, git_repository *g, const char *hex,
		  const char *path, dlg_buf *text)
{
	git_oid id;
	git_blob *b = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;

	*out = NULL;
	if (!hex)
		return 0;
	if (git_oid_fromstr(&id, hex) < 0 || git_blob_lookup(&b, g, &id) < 0) {
		dlg_buf what = DLG_BUF_INIT;
		int error;

		dlg_buf_printf(&what, "cannot read '%s' to take it back", path);
		error = dlg_sync__error(what.ptr);
		dlg_buf_dispose(&what);
		return error;
	}
	if (text)
		dlg_buf_put(text, git_blob_rawcontent(b),
			    (size_t)git_blob_rawsize(b));
	dlg_store_parse(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
			path, dlg_schema_for_path(path), &ignore);
	dlg_diags_dispose(&ignore);
	git_blob_free(b);
	return 0;
}

typedef struct {
	char *path;
	const char *before; /* the blob before the first change taken back */
	dlg_node *doc;   /* the edited task, or NULL */
	dlg_buf text;    /* a whole file restored */
	int restore, remove;
} touched;

static touched *touch(touched **list, size_t *n, const dlg_violation *x)
{
	const char *path = x->path;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i].path, path))
			return &(*list)[i];
	*list = realloc(*list, (*n + 1) * sizeof(**list));
	if (!*list)
		abort();
	memset(&(*list)[*n], 0, sizeof(**list));
	(*list)[*n].path = dlg_strdup(path);
	(*list)[*n].before = x->before;
	(*list)[*n].text = (dlg_buf)DLG_BUF_INIT;
	return &(*list)[(*n)++];
}

/* A whole file goes back: team/, the policy and the configuration to what
 * is trusted, a task to the version before the first change taken back
 * (a task added without leave is removed). Not x's own version before:
 * after a field taken back in an earlier commit, that version holds the
 * field's rejected value. */
static int restore_whole(touched *t, dlg_repo *r, const dlg_rules *rules,
			 const dlg_violation *x)
{
	dlg_node *doc = NULL;
	int error = 0;

	dlg_node_free(t->doc);
	t->doc = NULL;
	dlg_buf_clear(&t->text);
	t->restore = 1;
	if (is_rule_path(x->path)) {
		const rule_file *f = rules_find(rules, x->path);
		char hex[DLG_HEX_ID_SIZE];

		if (f) {
			git_oid_tostr(hex, sizeof(hex), &f->id);
			error = doc_of(&doc, r->git, hex, x->path, &t->text);
		}
	} else {
		error = doc_of(&doc, r->git, t->before, x->path, &t->text);
	}
	dlg_node_free(doc);
	t->remove = !t->text.size;
	return error;
}

/* Take back one field of a task where it still holds the rejected value
 * (the versions around the commit read from git; the record made in
 * core/, dlg_conflict_reject). */
static int take_back_field(touched *t, dlg_repo *r, dlg_store *s,
			   const dlg_violation *x)
{
	dlg_node *old = NULL, *new = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;
	int error;

	if ((error = doc_of(&old, r->git, x->before, x->path, NULL)) < 0 ||
	    (error = doc_of(&new, r->git, x->after, x->path, NULL)) < 0)
		goto done;
	if (!t->doc && !t->restore)
		dlg_store_load(&t->doc, s, x->path, &dlg_schema_task, &ignore);
	dlg_diags_dispose(&ignore);
	if (t->doc)
		dlg_conflict_reject(t->doc, x->field, old, new, x->author,
				    x->commit);
done:
	dlg_node_free(old);
	dlg_node_free(new);
	return error;
}

/* What each violation takes back, by file (the first, earliest,
 * rejection of a file decides what it goes back to), and one line of the
 * commit message for each; how many are rejected in *rejected. */
static int plan_rejections(size_t *rejected, touched **list, size_t *n,
			   dlg_buf *msg, dlg_repo *r, dlg_store *s,
			   const dlg_judgement *j)
{
	const dlg_violations *v = &j->violations;
	size_t i;
	int error = 0;

	*rejected = 0;
	for (i = 0; i < v->count; i++) {
		const dlg_violation *x = &v->items[i];
		touched *t;

		/* A file that did not validate in a commit but does at the
		 * tip (sync refuses it otherwise) has nothing to take back. */
		if (!x->commit || !strcmp(x->field, DLG_INVALID_FILE) ||
		    !dlg_schema_for_path(x->path))
			continue;
		t = touch(list, n, x);
		if (!*x->field || dlg_schema_for_path(x->path) != &dlg_schema_task) {
			if (!t->restore)
				error = restore_whole(t, r, j->rules, x);
		}
		else if (!t->restore)
			error = take_back_field(t, r, s, x);
		if (error < 0)
			return error;
		dlg_buf_printf(msg, "- %.8s %s: %s\n", x->commit, x->path,
			       x->message);
		(*rejected)++;
	}
	return 0;
}

/* The files as they go back, written to the work tree and listed in
 * files (what already stands as it should is left out). */
static int write_rejections(dlg_commit_file *files, size_t *nfiles,
			    touched *list, size_t n, dlg_repo *r,
			    dlg_store *s)
{
	size_t i;
	int error = 0;

	for (i = 0; i < n; i++) {
		touched *t = &list[i];
		dlg_buf now = DLG_BUF_INIT;
		int exists = dlg_store_exists(s, t->path);
		dlg_diags d = DLG_DIAGS_INIT;

		if (t->doc &&
		    dlg_schema_validate(t->doc, &dlg_schema_task, t->path, &d) < 0) {
			/* Never an invalid file: the whole task goes back. */
			dlg_node *doc = NULL;

			dlg_node_free(t->doc);
			t->doc = NULL;
			dlg_buf_clear(&t->text);
			error = doc_of(&doc, r->git, t->before, t->path, &t->text);
			dlg_node_free(doc);
			t->remove = !t->text.size;
		}
		dlg_diags_dispose(&d);
		if (error < 0)
			return error;
		if (t->doc) {
			dlg_buf_clear(&t->text);
			if ((error = dlg_yaml_write(&t->text, t->doc,
						    &dlg_schema_task)) < 0)
				return error;
		}
		/* What already stands as it should (taken back by another
		 * replica, or never merged) is left alone. */
		if (exists)
			dlg_store_read_file(&now, s, t->path);
		if (t->remove ? !exists
			      : exists && now.size == t->text.size &&
					!memcmp(now.ptr, t->text.ptr, now.size)) {
			dlg_buf_dispose(&now);
			continue;
		}
		dlg_buf_dispose(&now);
		if (t->remove)
			error = dlg_store_remove_file(s, t->path);
		else
			error = dlg_store_write_file(s, t->path, t->text.ptr,
						     t->text.size);
		if (error < 0)
			return error;
		files[*nfiles].path = t->path;
		files[*nfiles].data = t->remove ? NULL : t->text.ptr;
		files[*nfiles].len = t->text.size;
		(*nfiles)++;
	}
	return 0;
}

/* A rejection that failed puts back the files it wrote as HEAD has them,
 * keeping the message of the failure: nothing is left half done (the
 * sync then takes the remote's commits back out). */
static void put_back(dlg_repo *r, dlg_store *s, const dlg_commit_file *files,
		     size_t n)
{
	git_commit *head = NULL;
	git_tree *tree = NULL;
	dlg_buf first = DLG_BUF_INIT;
	git_oid id;
	size_t i;

	dlg_buf_puts(&first, dlg_error_last());
	if (git_reference_name_to_id(&id, r->git, "HEAD") < 0 ||
	    git_commit_lookup(&head, r->git, &id) < 0 ||
	    git_commit_tree(&tree, head) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		git_blob *b = NULL;

		if (dlg_sync__tree_oid(&id, tree, files[i].path) < 0)
			continue;
		if (git_oid_is_zero(&id))
			dlg_store_remove_file(s, files[i].path);
		else if (!git_blob_lookup(&b, r->git, &id))
			dlg_store_write_file(s, files[i].path,
					     git_blob_rawcontent(b),
					     (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
done:
	dlg_error_set("%s", first.ptr);
	dlg_buf_dispose(&first);
	git_tree_free(tree);
	git_commit_free(head);
}

int dlg_sync__reject(dlg_repo *r, const dlg_judgement *j,
		     const dlg_signature *who, size_t *rejected)
{
	dlg_store *s = NULL;
	touched *list = NULL;
	dlg_commit_file *files = NULL;
	dlg_buf msg = DLG_BUF_INIT;
	size_t n = 0, i, nfiles = 0;
	int error = 0;

	dlg_store_open(&s, r->workdir);
	if ((error = plan_rejections(rejected, &list, &n, &msg, r, s, j)) < 0 ||
	    !*rejected)
		goto done;
	files = calloc(n + 1, sizeof(*files));
	if (!files)
		abort();
	if ((error = write_rejections(files, &nfiles, list, n, r, s)) < 0 ||
	    !nfiles)
		goto failed;
	{
		dlg_buf full = DLG_BUF_INIT;

		dlg_buf_printf(&full, "policy: reject %zu unauthorised change%s\n\n"
			       "The policy is in enforce mode. A rejected field is "
			       "kept under conflicts:,\nfor a director to approve "
			       "(delegit resolve) or drop; a file taken back whole\n"
			       "is in the commit named (git show COMMIT:PATH), and "
			       "'delegit audit' lists each.\n\n%s",
			       *rejected, *rejected == 1 ? "" : "s", msg.ptr);
		error = dlg_repo_commit(NULL, r, files, nfiles, full.ptr, who);
		dlg_buf_dispose(&full);
	}
failed:
	if (error < 0)
		put_back(r, s, files, nfiles);
done:
	for (i = 0; i < n; i++) {
		free(list[i].path);
		dlg_node_free(list[i].doc);
		dlg_buf_dispose(&list[i].text);
	}
	free(list);
	free(files);
	dlg_buf_dispose(&msg);
	dlg_store_free(s);
	return error;
}
