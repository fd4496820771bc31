/* cli/: the error path (cli/error.c) and option parsing (cli/args.c),
 * with stdout and stderr caught in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* What a call printed on stdout and stderr. */
typedef struct {
	FILE *saved_out, *saved_err;
	char *out, *err;
	size_t nout, nerr;
} caught;

static void catch_begin(caught *k)
{
	memset(k, 0, sizeof(*k));
	k->saved_out = stdout;
	k->saved_err = stderr;
	stdout = open_memstream(&k->out, &k->nout);
	stderr = open_memstream(&k->err, &k->nerr);
	assert_non_null(stdout);
	assert_non_null(stderr);
}

static void catch_end(caught *k)
{
	fclose(stdout);
	fclose(stderr);
	stdout = k->saved_out;
	stderr = k->saved_err;
}

static void caught_dispose(caught *k)
{
	free(k->out);
	free(k->err);
}

static void test_error__prints_once_and_returns_the_code(void **state)
{
	caught k;
	int code;

	catch_begin(&k);
	code = cli_error(DLG_EUSAGE, "unknown status '%s'", "dun");
	cli_error_flush(code, NULL); /* main: printed already */
	catch_end(&k);
	assert_int_equal(code, DLG_EUSAGE);
	assert_string_equal(k.err, "delegit: unknown status 'dun'\n");
	assert_string_equal(k.out, "");
	caught_dispose(&k);
}

static void test_error__flush_prints_an_error_nobody_printed(void **state)
{
	caught k;

	catch_begin(&k);
	dlg_error_set("no task '%s'", "abc");
	assert_int_equal(cli_error_flush(DLG_ENOTFOUND, NULL), DLG_ENOTFOUND);
	dlg_error_set("no task '%s'", "def");
	cli_error_flush(DLG_ENOTFOUND, "1a2b3c4d");
	catch_end(&k);
	assert_string_equal(k.err, "delegit: no task 'abc'\n"
				   "delegit: 1a2b3c4d: no task 'def'\n");
	caught_dispose(&k);
}

/* After a printed error reaches the top, the next one starts unprinted
 * (cli_bulk: a task's error printed by the command, the next not). */
static void test_error__flush_forgets_the_printed_error(void **state)
{
	caught k;

	catch_begin(&k);
	cli_error_flush(cli_error(DLG_ERROR, "first"), "t1");
	dlg_error_set("second");
	cli_error_flush(DLG_ERROR, "t2");
	catch_end(&k);
	assert_string_equal(k.err, "delegit: first\ndelegit: t2: second\n");
	caught_dispose(&k);
}

static void test_error__success_and_help_print_nothing(void **state)
{
	caught k;

	catch_begin(&k);
	dlg_error_set("stale");
	assert_int_equal(cli_error_flush(0, NULL), 0);
	assert_int_equal(cli_error_flush(CLI_DONE, NULL), CLI_DONE);
	catch_end(&k);
	assert_string_equal(k.err, "");
	caught_dispose(&k);
}

static void test_error__shown_is_not_printed_again(void **state)
{
	caught k;

	catch_begin(&k);
	dlg_error_set("would be printed twice");
	cli_error_flush(cli_error_shown(DLG_EINVALID), NULL);
	catch_end(&k);
	assert_string_equal(k.err, "");
	caught_dispose(&k);
}

/* SPEC 4: what a user typed reaches the terminal escaped. */
static void test_error__arguments_are_escaped(void **state)
{
	caught k;

	catch_begin(&k);
	cli_error(DLG_EUSAGE, "bad '%s'", "a\033[31mb");
	catch_end(&k);
	assert_null(strchr(k.err, '\033'));
	assert_non_null(strstr(k.err, "delegit: bad 'a"));
	caught_dispose(&k);
}

static const cli_opt opts[] = {
	{ CLI_O_TO, 0, OPT_VALUE, "HANDLE", "assigned to HANDLE" },
	{ CLI_O_TAG, 't', OPT_MULTI, "TAG", "a tag" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "JSON" },
	{ CLI_O_DUE_BEFORE, 0, OPT_VALUE, "DATE", "a date", CLI_DATE },
	CLI_OPT_END
};

static const cli_spec spec = { "delegit t ID [options]", "a test command",
			       NULL, opts, 1, 1, "ID" };

static int parse(cli_args *a, caught *k, const char *const *args)
{
	char *argv[16];
	int argc = 0, error;

	argv[argc++] = "t";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	catch_begin(k);
	error = cli_parse(a, &spec, argc, argv);
	error = cli_error_flush(error, NULL);
	catch_end(k);
	return error;
}

static void test_parse__help_prints_the_table_and_is_done(void **state)
{
	static const char *const args[] = { "x", "--help", NULL };
	cli_args a;
	caught k;

	assert_int_equal(parse(&a, &k, args), CLI_DONE);
	assert_non_null(strstr(k.out, "usage: delegit t ID [options]"));
	assert_non_null(strstr(k.out, "--to HANDLE"));
	assert_string_equal(k.err, "");
	cli_args_dispose(&a);
	caught_dispose(&k);
}

static void test_parse__bad_usage_is_printed_once(void **state)
{
	static const char *const args[] = { "x", "--tx", "kim", NULL };
	cli_args a;
	caught k;

	assert_int_equal(parse(&a, &k, args), DLG_EUSAGE);
	assert_string_equal(k.err, "delegit: unknown option '--tx'. Did you "
				   "mean '--to'?\nusage: delegit t ID "
				   "[options]\n(see --help)\n");
	cli_args_dispose(&a);
	caught_dispose(&k);
}

static void test_parse__missing_argument_is_named(void **state)
{
	static const char *const args[] = { "--json", NULL };
	cli_args a;
	caught k;

	assert_int_equal(parse(&a, &k, args), DLG_EUSAGE);
	assert_non_null(strstr(k.err, "delegit: missing argument ID\n"));
	cli_args_dispose(&a);
	caught_dispose(&k);
}

/* Options are read by id: the value given, the last one counting. */
static void test_parse__options_are_bound_by_id(void **state)
{
	static const char *const args[] = { "x", "--to", "kim", "-tbackup",
		"--tag=db", "--to=lee", "--json", NULL };
	const char **v;
	cli_args a;
	caught k;

	assert_int_equal(parse(&a, &k, args), 0);
	assert_string_equal(cli_get(&a, CLI_O_TO), "lee");
	assert_true(cli_flag(&a, CLI_O_JSON));
	assert_int_equal(cli_multi(&v, &a, CLI_O_TAG), 2);
	assert_string_equal(v[0], "backup");
	assert_string_equal(v[1], "db");
	assert_null(cli_get(&a, CLI_O_DUE_BEFORE)); /* not given */
	assert_false(cli_flag(&a, CLI_O_MINE));     /* not in the table */
	assert_int_equal(cli_multi(&v, &a, CLI_O_MINE), 0);
	assert_string_equal(a.pos[0], "x");
	cli_args_dispose(&a);
	caught_dispose(&k);
}

/* A date option is made YYYY-MM-DD; a bad one is named by the option. */
static void test_parse__date_options_are_named_by_their_id(void **state)
{
	static const char *const good[] = { "x", "--due-before", "2026-02-03",
		NULL };
	static const char *const bad[] = { "x", "--due-before", "someday",
		NULL };
	cli_args a;
	caught k;

	assert_int_equal(parse(&a, &k, good), 0);
	assert_string_equal(cli_get(&a, CLI_O_DUE_BEFORE), "2026-02-03");
	cli_args_dispose(&a);
	caught_dispose(&k);
	assert_int_equal(parse(&a, &k, bad), DLG_EUSAGE);
	assert_non_null(strstr(k.err, "delegit: --due-before: bad date "
				      "'someday'"));
	cli_args_dispose(&a);
	caught_dispose(&k);
}

/* Each id has one name, and no two ids the same. */
static void test_opt__every_id_has_its_own_name(void **state)
{
	int i, j;

	assert_string_equal(cli_opt_name(CLI_O_DUE_BEFORE), "due-before");
	assert_string_equal(cli_opt_name(CLI_O_NONE), "");
	for (i = CLI_O_NONE + 1; i < CLI_O_COUNT; i++) {
		assert_true(cli_opt_name(i)[0] != '\0');
		for (j = i + 1; j < CLI_O_COUNT; j++)
			assert_string_not_equal(cli_opt_name(i),
						cli_opt_name(j));
	}
}

/* "expected ..." lists made from the tables that define the values. */
static void test_values__listed_as_a_message_says_them(void **state)
{
	static const char *const one[] = { "due", NULL };
	static const char *const two[] = { "due", "id", NULL };
	dlg_buf b = DLG_BUF_INIT;

	cli_values_list(&b, one);
	assert_string_equal(b.ptr, "due");
	dlg_buf_clear(&b);
	cli_values_list(&b, two);
	assert_string_equal(b.ptr, "due or id");
	dlg_buf_clear(&b);
	cli_values_list(&b, dlg_query_sort_keys);
	assert_string_equal(b.ptr, "due, priority, created, updated, status, "
				   "title, assignee or id");
	dlg_buf_dispose(&b);
}

/* An option whose help is its values: the first is the default. */
static void test_help__values_make_the_help(void **state)
{
	static const cli_opt sort_opts[] = {
		{ CLI_O_SORT, 0, OPT_VALUE, "KEY", NULL, 0,
		  dlg_query_sort_keys },
		CLI_OPT_END
	};
	static const cli_spec sort_spec = { "delegit t", "t", NULL,
					    sort_opts, 0, 0 };
	caught k;

	catch_begin(&k);
	cli_help(stdout, &sort_spec);
	catch_end(&k);
	assert_non_null(strstr(k.out, "      --sort KEY             due "
				      "(default), priority, created, updated, "
				      "status, title, assignee, id\n"));
	caught_dispose(&k);
}

/* Any number of colours in one call, each its own (a ring of eight
 * buffers gave the ninth's sequence for the first). */
static void test_color__many_in_one_call_stay_distinct(void **state)
{
	cli_ctx c;
	caught k;

	memset(&c, 0, sizeof(c));
	c.color = 1;
	catch_begin(&k);
	cli_printf("%s%s%s%s%s%s%s%s%s%s|%s\n", cli_color(&c, C_RED),
		   cli_color(&c, C_GREEN), cli_color(&c, C_YELLOW),
		   cli_color(&c, C_BLUE), cli_color(&c, C_MAGENTA),
		   cli_color(&c, C_CYAN), cli_color(&c, C_BOLD),
		   cli_color(&c, C_DIM), cli_color(&c, C_RESET),
		   cli_color(&c, C_BOLD), "a\033[1mb");
	catch_end(&k);
	/* the colours pass, the text's escape does not */
	assert_memory_equal(k.out, "\033[31m\033[32m\033[33m\033[34m"
				   "\033[35m\033[36m\033[1m\033[2m\033[0m"
				   "\033[1m|a", 48);
	assert_null(strchr(k.out + 48, '\033'));
	c.color = 0;
	assert_string_equal(cli_color(&c, C_RED), "");
	caught_dispose(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__prints_once_and_returns_the_code),
		cmocka_unit_test(test_error__flush_prints_an_error_nobody_printed),
		cmocka_unit_test(test_error__flush_forgets_the_printed_error),
		cmocka_unit_test(test_error__success_and_help_print_nothing),
		cmocka_unit_test(test_error__shown_is_not_printed_again),
		cmocka_unit_test(test_error__arguments_are_escaped),
		cmocka_unit_test(test_parse__help_prints_the_table_and_is_done),
		cmocka_unit_test(test_parse__bad_usage_is_printed_once),
		cmocka_unit_test(test_parse__missing_argument_is_named),
		cmocka_unit_test(test_parse__options_are_bound_by_id),
		cmocka_unit_test(test_parse__date_options_are_named_by_their_id),
		cmocka_unit_test(test_opt__every_id_has_its_own_name),
		cmocka_unit_test(test_values__listed_as_a_message_says_them),
		cmocka_unit_test(test_help__values_make_the_help),
		cmocka_unit_test(test_color__many_in_one_call_stay_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
