/* core/: the policy judge (core/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* ---------------------------------------------------------------------
 * The policy judge (core/policy.c, SPEC 7), without git: one change of
 * one file by one person, judged by a policy written here.
 */
static const char judge_policy_text[] =
	"format: 1\n"
	"mode: enforce\n"
	"rules:\n"
	"  delegator: [due]\n"
	"  director: [all]\n"
	"  manager: [title, expectations]\n"
	"  staff: [feedback]\n"
	"  assignee: [checkpoints.done, status:review,\n"
	"    checkpoints.due@act-and-report, estimate_hours@follow-steps,\n"
	"    autonomy@follow-steps]\n"
	"  everyone: [feedback, spent]\n"
	"  repository: [director]\n";

#define JUDGE_TASK "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml"

static dlg_node *judge_doc(const char *text, const char *path,
			   const dlg_schema *schema)
{
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	assert_int_equal(dlg_store_parse(&doc, text, strlen(text), path,
					 schema, &d), 0);
	dlg_diags_dispose(&d);
	return doc;
}

static dlg_node *judge_person(const char *handle, const char *role)
{
	dlg_node *p = dlg_node_new_map();

	dlg_map_set_str(p, "handle", handle);
	dlg_map_set_str(p, "role", role);
	return p;
}

/* Judge `after` against the canonical task (kim's, delegated by dana) by
 * handle with role; returns the number of violations, kept in *v. */
static size_t judge(dlg_violations *v, const dlg_node *policy,
		    const char *handle, const char *role, const dlg_node *before,
		    const dlg_node *after)
{
	dlg_node *who = judge_person(handle, role);
	int rc = dlg_policy_judge(v, policy, who, "x@example.org", JUDGE_TASK,
				  before, after);

	assert_int_equal(rc, v->count ? DLG_EDENIED : 0);
	dlg_node_free(who);
	return v->count;
}

static void judge_cp(dlg_node *d, const char *field, dlg_node *value)
{
	dlg_node *cp = dlg_seq_find_id(dlg_map_get(d, "checkpoints"),
				       "27c4f0aa");

	dlg_map_set(cp, field, value);
}

static void test_policy__each_rule_kind_allows_only_its_change(void **state)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *task = task_from(text, strlen(text));
	dlg_node *policy = judge_doc(judge_policy_text, ".delegit/policy.yaml",
				     &dlg_schema_policy);
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_node *b;

	(void)state;
	/* a field rule, first in its list: the assignee ticks a checkpoint */
	b = dlg_node_dup(task);
	judge_cp(b, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 0);
	/* ...which someone else may not (no rule of theirs names it) */
	assert_int_equal(judge(&v, policy, "sam", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "checkpoints[27c4f0aa].done");
	assert_string_equal(v.items[0].author, "sam");
	assert_string_equal(v.items[0].from, "false");
	assert_string_equal(v.items[0].to, "true");
	assert_string_equal(v.items[0].path, JUDGE_TASK);
	/* each entry once, though two rule sets name it (feedback) */
	assert_string_equal(v.items[0].message,
			    "'sam' (staff) may not change "
			    "'checkpoints[27c4f0aa].done' (the policy allows "
			    "them: feedback, spent)");
	dlg_violations_dispose(&v);
	dlg_node_free(b);

	/* status:X allows that status only; from and to as they were */
	b = dlg_node_dup(task);
	dlg_map_set_str(b, "status", "review");
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 0);
	dlg_map_set_str(b, "status", "done");
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "status");
	assert_string_equal(v.items[0].from, "in-progress");
	assert_string_equal(v.items[0].to, "done");
	assert_string_equal(v.items[0].message,
			    "'kim' (staff; assignee) may not change 'status' "
			    "(the policy allows them: feedback, "
			    "checkpoints.done, status:review, "
			    "checkpoints.due@act-and-report, "
			    "estimate_hours@follow-steps, "
			    "autonomy@follow-steps, spent)");
	dlg_violations_dispose(&v);
	dlg_node_free(b);

	/* a rule names a field whole or a field under it, not a prefix:
	 * the delegator's `due` is not `due_request` */
	b = dlg_node_dup(task);
	dlg_task_set_field(b, "due", "2026-12-20");
	assert_int_equal(judge(&v, policy, "dana", "staff", task, b), 0);
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	b = dlg_node_dup(task);
	dlg_doc_set_path(b, "due_request", dlg_node_new_map());
	dlg_doc_set_path(b, "due_request.due",
			 dlg_node_new_scalar(DLG_SCALAR_STR, "2026-12-20"));
	assert_int_equal(judge(&v, policy, "dana", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "due_request.due");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* `expectations` covers expectations.acceptance[id].met */
	b = dlg_node_dup(task);
	dlg_doc_set_path(b, "expectations.acceptance[4e1a9c20].met",
			 dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	assert_int_equal(judge(&v, policy, "lou", "manager", task, b), 0);
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);

	/* by role: a director, neither delegator nor assignee, has all */
	b = dlg_node_dup(task);
	dlg_map_set_str(b, "title", "Something else");
	assert_int_equal(judge(&v, policy, "lee", "director", task, b), 0);
	assert_int_equal(judge(&v, policy, "lou", "manager", task, b), 0);
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);

	dlg_node_free(policy);
	dlg_node_free(task);
	free(text);
}

static void test_policy__autonomy_rules_read_the_task_before(void **state)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *task = task_from(text, strlen(text));
	dlg_node *policy = judge_doc(judge_policy_text, ".delegit/policy.yaml",
				     &dlg_schema_policy);
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_node *b;

	(void)state;
	/* FIELD@follow-steps: the lowest level, any task that has one */
	dlg_map_set_str(task, "autonomy", "follow-steps");
	b = dlg_node_dup(task);
	dlg_task_set_field(b, "estimate_hours", "8");
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 0);
	dlg_node_free(b);
	/* a checkpoint's due at act-and-report: not on this task */
	b = dlg_node_dup(task);
	judge_cp(b, "due", dlg_node_new_str("2026-12-10"));
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "checkpoints[27c4f0aa].due");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* never the autonomy itself, whatever the entry says */
	b = dlg_node_dup(task);
	dlg_map_set_str(b, "autonomy", "recommend");
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "autonomy");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* on a task that is own: the checkpoint's due may move */
	dlg_map_set_str(task, "autonomy", "own");
	b = dlg_node_dup(task);
	judge_cp(b, "due", dlg_node_new_str("2026-12-10"));
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 0);
	dlg_node_free(b);
	/* a task with no autonomy: no FIELD@LEVEL entry applies */
	dlg_map_remove(task, "autonomy");
	b = dlg_node_dup(task);
	dlg_task_set_field(b, "estimate_hours", "8");
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);

	dlg_node_free(policy);
	dlg_node_free(task);
	free(text);
}

static void test_policy__new_deleted_and_other_files(void **state)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *task = task_from(text, strlen(text));
	dlg_node *policy = judge_doc(judge_policy_text, ".delegit/policy.yaml",
				     &dlg_schema_policy);
	dlg_node *bare = judge_doc("format: 1\nrules:\n  manager: [title]\n",
				   ".delegit/policy.yaml", &dlg_schema_policy);
	dlg_node *who = judge_person("kim", "staff");
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_node *b;

	(void)state;
	/* deleting: only a rule set holding all */
	assert_int_equal(judge(&v, policy, "lee", "director", task, NULL), 0);
	assert_int_equal(judge(&v, policy, "kim", "staff", task, NULL), 1);
	assert_string_equal(v.items[0].message,
			    "'kim' may not delete this task");
	assert_string_equal(v.items[0].field, "");
	assert_null(v.items[0].from);
	assert_null(v.items[0].to);
	dlg_violations_dispose(&v);
	/* a new task: one's own to delegate, or all by one's role */
	assert_int_equal(judge(&v, policy, "dana", "staff", NULL, task), 0);
	assert_int_equal(judge(&v, policy, "lee", "director", NULL, task), 0);
	assert_int_equal(judge(&v, policy, "kim", "staff", NULL, task), 1);
	assert_string_equal(v.items[0].message,
			    "'kim' (staff) may not add a task delegated by "
			    "'dana'");
	dlg_violations_dispose(&v);
	/* a person with no rule set at all: the policy allows them nothing */
	b = dlg_node_dup(task);
	dlg_map_set_str(b, "title", "Something else");
	assert_int_equal(judge(&v, bare, "sam", "msp", task, b), 1);
	assert_string_equal(v.items[0].message,
			    "'sam' (msp) may not change 'title' (the policy "
			    "allows them: nothing)");
	dlg_violations_dispose(&v);
	assert_int_equal(judge(&v, bare, "lou", "manager", task, b), 0);
	/* no policy: the default (an assignee may not retitle, but may
	 * tick a checkpoint) */
	assert_int_equal(judge(&v, NULL, "kim", "staff", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	b = dlg_node_dup(task);
	judge_cp(b, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	assert_int_equal(judge(&v, NULL, "kim", "staff", task, b), 0);
	dlg_node_free(b);
	/* a task nobody is assigned: no one is its assignee */
	dlg_map_set_null(task, "assignee");
	b = dlg_node_dup(task);
	judge_cp(b, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	assert_int_equal(judge(&v, policy, "kim", "staff", task, b), 1);
	assert_string_equal(v.items[0].message,
			    "'kim' (staff) may not change "
			    "'checkpoints[27c4f0aa].done' (the policy allows "
			    "them: feedback, spent)");
	dlg_violations_dispose(&v);
	/* one's own delegation, assigned to oneself: four rule sets */
	dlg_map_set_str(task, "assignee", "dana");
	dlg_map_set_str(b, "assignee", "dana");
	dlg_map_set_str(b, "title", "Something else");
	assert_int_equal(judge(&v, policy, "dana", "staff", task, b), 1);
	assert_string_equal(v.items[0].field, "title");
	assert_string_equal(v.items[0].message,
			    "'dana' (staff; delegator) may not change 'title' "
			    "(the policy allows them: feedback, due, "
			    "checkpoints.done, status:review, "
			    "checkpoints.due@act-and-report, "
			    "estimate_hours@follow-steps, "
			    "autonomy@follow-steps, spent)");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	dlg_map_set_str(task, "assignee", "kim");
	/* team/, config and policy: the repository rule */
	assert_int_equal(dlg_policy_judge(&v, policy, who, "kim@example.org",
					  "team/kim.yaml", who, who), DLG_EDENIED);
	assert_string_equal(v.items[0].message,
			    "'kim' (staff) may not change team/kim.yaml (rule "
			    "repository: only director)");
	dlg_violations_dispose(&v);
	/* nobody's email */
	assert_int_equal(dlg_policy_judge(&v, policy, NULL, "x@example.org",
					  JUDGE_TASK, task, task), DLG_EDENIED);
	assert_string_equal(v.items[0].author, "x@example.org");
	assert_string_equal(v.items[0].message, "unknown author "
			    "'x@example.org': nobody in team/ has this email");
	dlg_violations_dispose(&v);
	/* a file with no schema: nothing to judge, not an error */
	assert_int_equal(dlg_policy_judge(&v, policy, NULL, "x@example.org",
					  "README.md", NULL, task), 0);
	assert_int_equal(v.count, 0);
	/* many violations: each kept */
	for (size_t i = 0; i < 20; i++)
		judge(&v, policy, "kim", "staff", task, NULL);
	assert_int_equal(v.count, 20);
	assert_string_equal(v.items[19].author, "kim");
	dlg_violations_dispose(&v);

	dlg_node_free(who);
	dlg_node_free(bare);
	dlg_node_free(policy);
	dlg_node_free(task);
	free(text);
}

static void test_policy__own_items_odd_rules_and_nameless_authors(void **state)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *task = task_from(text, strlen(text));
	dlg_node *policy = judge_doc(
		"format: 1\nrules:\n"
		"  staff: {all: all}\n"       /* not a list: grants nothing */
		"  manager: feedback\n"
		"  msp: [due@bogus, title@own]\n" /* no such level; none */
		"  everyone: [feedback, spent]\n"
		"  repository: []\n",
		".delegit/policy.yaml", &dlg_schema_policy);
	dlg_node *nameless = dlg_node_new_map();
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_node *b;

	(void)state;
	dlg_map_set_str(nameless, "role", "msp");
	/* feedback and time of one's own: allowed to anyone */
	b = dlg_node_dup(task);
	dlg_task_add_feedback(b, "sam", "concern", "Too slow", 1764000000);
	assert_int_equal(dlg_task_add_spent(b, "sam", 2, NULL, 1764000000), 0);
	assert_int_equal(judge(&v, policy, "sam", "staff", task, b), 0);
	/* in someone else's name: neither */
	assert_int_equal(judge(&v, policy, "lou", "staff", task, b), 2);
	assert_true(!strncmp(v.items[0].field, "feedback[", 9) ||
		    !strncmp(v.items[1].field, "feedback[", 9));
	assert_true(!strncmp(v.items[0].field, "spent[", 6) ||
		    !strncmp(v.items[1].field, "spent[", 6));
	dlg_violations_dispose(&v);
	/* nor by an author without a handle */
	assert_int_equal(dlg_policy_judge(&v, policy, nameless, "x@example.org",
					  JUDGE_TASK, task, b), DLG_EDENIED);
	assert_int_equal(v.count, 2);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* one's own feedback, edited or removed: no longer adding one */
	b = dlg_node_dup(task);
	dlg_doc_set_path(b, "feedback[5ee1f00d].text", dlg_node_new_str("x"));
	assert_int_equal(judge(&v, policy, "kim", "msp", task, b), 1);
	assert_string_equal(v.items[0].field, "feedback[5ee1f00d].text");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	b = dlg_node_dup(task);
	dlg_doc_set_path(b, "feedback[5ee1f00d]", NULL);
	assert_int_equal(judge(&v, policy, "kim", "msp", task, b), 1);
	assert_string_equal(v.items[0].field, "feedback[5ee1f00d]");
	assert_null(v.items[0].to);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* FIELD@LEVEL with no such level grants nothing; nor does a
	 * rule set that is not a list */
	dlg_map_set_str(task, "autonomy", "own");
	b = dlg_node_dup(task);
	dlg_task_set_field(b, "due", "2026-12-20");
	dlg_map_set_str(b, "title", "Other");
	assert_int_equal(judge(&v, policy, "kim", "msp", task, b), 1);
	assert_string_equal(v.items[0].field, "due");
	dlg_violations_dispose(&v);
	assert_int_equal(judge(&v, policy, "sam", "staff", task, b), 2);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* deleting: no rule set holds all (the map's value is no entry),
	 * and kim's assignee rules are missing */
	assert_int_equal(judge(&v, policy, "sam", "staff", task, NULL), 1);
	dlg_violations_dispose(&v);
	assert_int_equal(judge(&v, policy, "kim", "msp", task, NULL), 1);
	dlg_violations_dispose(&v);
	b = dlg_node_dup(task);
	dlg_map_set_str(b, "title", "Other");
	assert_int_equal(judge(&v, policy, "sam", "staff", task, b), 1);
	assert_string_equal(v.items[0].message,
			    "'sam' (staff) may not change 'title' (the policy "
			    "allows them: feedback, spent)");
	dlg_violations_dispose(&v);
	assert_int_equal(judge(&v, policy, "lou", "manager", task, b), 1);
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* items of other lists that name an author are no feedback, and a
	 * feedback entry with no author is nobody's own */
	b = dlg_node_dup(task);
	{
		dlg_node *cp = dlg_node_new_map();

		dlg_map_set_str(cp, "id", "abcdef12");
		dlg_map_set_str(cp, "what", "Mine");
		dlg_map_set_str(cp, "author", "sam");
		dlg_map_set_str(cp, "by", "sam");
		dlg_seq_push(dlg_map_get(b, "checkpoints"), cp);
		cp = dlg_node_new_map();
		dlg_map_set_str(cp, "id", "abcdef13");
		dlg_map_set_str(cp, "text", "Nobody's");
		dlg_seq_push(dlg_map_get(b, "feedback"), cp);
	}
	assert_int_equal(judge(&v, policy, "sam", "staff", task, b), 2);
	assert_string_equal(v.items[0].field, "checkpoints[abcdef12]");
	assert_string_equal(v.items[1].field, "feedback[abcdef13]");
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	/* a repository rule naming nobody, or none at all */
	b = judge_doc("format: 1\nrules:\n  director: [all]\n",
		      ".delegit/policy.yaml", &dlg_schema_policy);
	assert_int_equal(dlg_policy_judge(&v, b, nameless, "x@example.org",
					  "team/x.yaml", NULL, NULL),
			 DLG_EDENIED);
	assert_non_null(strstr(v.items[0].message, "(rule repository: only "
				"nobody)"));
	dlg_violations_dispose(&v);
	dlg_node_free(b);
	assert_int_equal(dlg_policy_judge(&v, policy, nameless, "x@example.org",
					  ".delegit/config.yaml", NULL, NULL),
			 DLG_EDENIED);
	assert_non_null(strstr(v.items[0].message, "(rule repository: only "
				"nobody)"));
	dlg_violations_dispose(&v);
	/* nor deleting for a nameless author */
	assert_int_equal(dlg_policy_judge(&v, policy, nameless, "x@example.org",
					  JUDGE_TASK, task, NULL), DLG_EDENIED);
	dlg_violations_dispose(&v);

	dlg_node_free(nameless);
	dlg_node_free(policy);
	dlg_node_free(task);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__each_rule_kind_allows_only_its_change),
		cmocka_unit_test(test_policy__autonomy_rules_read_the_task_before),
		cmocka_unit_test(test_policy__new_deleted_and_other_files),
		cmocka_unit_test(test_policy__own_items_odd_rules_and_nameless_authors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
