/* core/: shown text and did-you-mean (core/util.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* What is shown of text from files (SPEC 4): controls visible, the rest as
 * it is, and escaping twice changes nothing. */
static void test_escape__controls_are_shown_and_text_is_kept(void **state)
{
	static const char *const cases[][3] = {
		/* in, as text, as JSON text (NULL: as it is) */
		{ "plain caf\xc3\xa9 \xe2\x80\xa6 C:\\temp", NULL, NULL },
		{ "\x1b]52;c;aGk=\x07", "\\e]52;c;aGk=\\a",
		  "\\u001b]52;c;aGk=\\u0007" },
		{ "a\rb\tc\x01" "d\x7f", "a\\rb\\tc\\x01d\\x7f",
		  "a\\u000db\\u0009c\\u0001d\\u007f" },
		{ "x\xc2\x85y\xc2\x9b", "x\\u0085y\\u009b", "x\\u0085y\\u009b" },
		{ "\xe2\x80\xae" "evil\xe2\x81\xa6", "<U+202E>evil<U+2066>",
		  "\\u202e" "evil\\u2066" },
		{ "bad \xff \xc0\xaf \xed\xa0\x80",
		  "bad \\xff \\xc0\\xaf \\xed\\xa0\\x80",
		  "bad \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd" },
		{ "cut \xe2\x80", "cut \\xe2\\x80", "cut \\ufffd\\ufffd" },
		{ "one\ntwo", "one\\ntwo", "one\\u000atwo" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i][0];
		const char *text = cases[i][1] ? cases[i][1] : in;
		const char *json = cases[i][2] ? cases[i][2] : in;
		dlg_buf a = DLG_BUF_INIT, b = DLG_BUF_INIT, j = DLG_BUF_INIT;
		size_t bad;

		dlg_escape(&a, in, strlen(in), 0);
		assert_string_equal(a.ptr, text);
		/* what is refused as an argument is what is escaped */
		if (cases[i][1])
			assert_true(dlg_escape_span(in, strlen(in), 0, &bad) <
				    strlen(in) && bad > 0);
		else
			assert_int_equal(dlg_escape_span(in, strlen(in), 0,
							 &bad), strlen(in));
		dlg_escape(&b, a.ptr, a.size, 0);
		assert_string_equal(b.ptr, a.ptr);
		dlg_escape(&j, in, strlen(in), DLG_ESC_JSON);
		assert_string_equal(j.ptr, json);
		dlg_buf_dispose(&a);
		dlg_buf_dispose(&b);
		dlg_buf_dispose(&j);
	}
	{
		dlg_buf l = DLG_BUF_INIT;

		dlg_escape(&l, "one\ntwo\r", 8, DLG_ESC_LINES);
		assert_string_equal(l.ptr, "one\ntwo\\r");
		dlg_buf_dispose(&l);
	}
}

static void test_similar__typos_are_near_other_words_are_not(void **state)
{
	static const char *const cmds[] = { "add", "list", "show", "log",
					    "set", "start", "status", "sync" };
	size_t out[8];

	(void)state;
	assert_int_equal(dlg_edit_distance("list", "list"), 0);
	/* two neighbours swapped cost nothing; the alignment is optimal, not
	 * just the first swap found */
	assert_int_equal(dlg_edit_distance("lsit", "list"), 0);
	assert_int_equal(dlg_edit_distance("stauts", "status"), 0);
	/* typed short: 1 a letter; typed long: 3 a letter; replaced: 2 */
	assert_int_equal(dlg_edit_distance("lis", "list"), 1);
	assert_int_equal(dlg_edit_distance("listt", "list"), 3);
	assert_int_equal(dlg_edit_distance("lost", "list"), 2);
	assert_int_equal(dlg_edit_distance("", "log"), 3);
	assert_int_equal(dlg_edit_distance("log", ""), 9);
	assert_int_equal(dlg_edit_distance("xyz", "add"), 6);

	assert_int_equal(dlg_similar(out, 8, "lsit", cmds, 8), 1);
	assert_string_equal(cmds[out[0]], "list");
	assert_int_equal(dlg_similar(out, 8, "stauts", cmds, 8), 1);
	assert_string_equal(cmds[out[0]], "status");
	/* short words: the nearest one */
	assert_int_equal(dlg_similar(out, 8, "st", cmds, 8), 1);
	assert_string_equal(cmds[out[0]], "set");
	/* equally near: each, in order; no more than asked for */
	assert_int_equal(dlg_similar(out, 8, "sat", cmds, 8), 2);
	assert_string_equal(cmds[out[0]], "set");
	assert_string_equal(cmds[out[1]], "start");
	assert_int_equal(dlg_similar(out, 1, "sat", cmds, 8), 1);
	assert_int_equal(dlg_similar(out, 8, "sta", cmds, 8), 1);
	assert_string_equal(cmds[out[0]], "start");
	assert_int_equal(dlg_similar(out, 8, "lg", cmds, 8), 1);
	assert_string_equal(cmds[out[0]], "log");
	/* nothing close: no suggestion */
	assert_int_equal(dlg_similar(out, 8, "frobnicate", cmds, 8), 0);
	assert_int_equal(dlg_similar(out, 8, "qqqq", cmds, 8), 0);
	assert_int_equal(dlg_similar(out, 8, "lsit", cmds, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape__controls_are_shown_and_text_is_kept),
		cmocka_unit_test(test_similar__typos_are_near_other_words_are_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
