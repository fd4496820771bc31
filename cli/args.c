/* Option parsing and --help, driven by one table per command. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static size_t count_opts(const cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].id)
		n++;
	return n;
}

static const char *const opt_names[CLI_O_COUNT] = {
#define CLI_O_NAME(id, name) [id] = name,
	CLI_OPTIONS(CLI_O_NAME)
#undef CLI_O_NAME
};

const char *cli_opt_name(cli_opt_id id)
{
	return id > CLI_O_NONE && id < CLI_O_COUNT ? opt_names[id] : "";
}

int cli_help_format = CLI_HELP_TEXT;

void cli_values_list(dlg_buf *out, const char *const *values)
{
	size_t i;

	for (i = 0; values[i]; i++)
		dlg_buf_printf(out, "%s%s", !i ? "" : values[i + 1] ? ", "
								  : " or ",
			       values[i]);
}

/* An option's help: its text, or else its values, the first the
 * default. */
static const char *opt_help(dlg_buf *out, const cli_opt *o)
{
	size_t i;

	if (o->help || !o->values)
		return o->help ? o->help : "";
	dlg_buf_clear(out);
	for (i = 0; o->values[i]; i++)
		dlg_buf_printf(out, "%s%s%s", i ? ", " : "", o->values[i],
			       i ? "" : " (default)");
	return out->ptr;
}

/* Text for roff: backslashes and a leading dot or quote made literal,
 * hyphens as \- (so that options are typed as printed). */
static void roff(FILE *f, const char *s, int hyphens)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-' && hyphens)
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

/* The same table as a section of delegit(1) (scripts/gen-man.sh). */
static void help_man(FILE *f, const cli_spec *spec)
{
	dlg_buf help = DLG_BUF_INIT;
	const cli_opt *o;

	fputs(".PP\n.B ", f);
	roff(f, spec->usage, 1);
	fputs("\n.PP\n", f);
	roff(f, spec->summary, 0);
	fputs("\n", f);
	if (spec->details) {
		fputs(".PP\n.nf\n", f);
		roff(f, spec->details, 0);
		fputs("\n.fi\n", f);
	}
	for (o = spec->opts; o && o->id; o++) {
		fputs(".TP\n", f);
		if (o->short_name)
			fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
		fputs("\\fB\\-\\-", f);
		roff(f, cli_opt_name(o->id), 1);
		fputs("\\fR", f);
		if (o->arg) {
			fputs(" \\fI", f);
			roff(f, o->arg, 0);
			fputs("\\fR", f);
		}
		fputs("\n", f);
		roff(f, opt_help(&help, o), 0);
		fputs(o->kind == OPT_MULTI ? " (repeatable)\n" : "\n", f);
	}
	dlg_buf_dispose(&help);
}

/* The same table for the shell completions: one line a fact, fields
 * separated by tabs. */
static void help_options(FILE *f, const cli_spec *spec)
{
	const cli_opt *o;

	fprintf(f, "usage\t%s\n", spec->usage);
	if (spec->max_pos)
		fprintf(f, "args\t%s\n", spec->args ? spec->args : "ARG");
	for (o = spec->opts; o && o->id; o++) {
		fprintf(f, "opt\t--%s\t%s\n", cli_opt_name(o->id),
			o->arg ? o->arg : "");
		if (o->short_name)
			fprintf(f, "opt\t-%c\t%s\n", o->short_name,
				o->arg ? o->arg : "");
	}
	fputs("opt\t--help\t\n", f);
}

void cli_help(FILE *f, const cli_spec *spec)
{
	dlg_buf help = DLG_BUF_INIT;
	const cli_opt *o;

	if (cli_help_format == CLI_HELP_MAN) {
		help_man(stdout, spec);
		return;
	}
	if (cli_help_format == CLI_HELP_OPTIONS) {
		help_options(stdout, spec);
		return;
	}
	fprintf(f, "usage: %s\n\n%s\n", spec->usage, spec->summary);
	if (spec->details)
		fprintf(f, "\n%s\n", spec->details);
	if (!count_opts(spec->opts))
		return;
	fputs("\noptions:\n", f);
	for (o = spec->opts; o->id; o++) {
		const char *name = cli_opt_name(o->id);
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->short_name, name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-26s %s%s\n", left, opt_help(&help, o),
			o->kind == OPT_MULTI ? " (repeatable)" : "");
	}
	fprintf(f, "  %-26s %s\n", "-h, --help", "show this help");
	dlg_buf_dispose(&help);
}

static int usage_error(const cli_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(DLG_EUSAGE, fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: %s\n(see --help)\n", spec->usage);
	return DLG_EUSAGE;
}

/* The name of positional i ("ID"), from spec->args: its index there. */
static size_t pos_name(dlg_buf *out, const cli_spec *spec, size_t i)
{
	const char *p = spec->args ? spec->args : "";
	size_t k = 0, n;

	dlg_buf_clear(out);
	for (;;) {
		n = strcspn(p, " ");
		if (k == i || !p[n])
			break;
		p += n + 1;
		k++;
	}
	if (n)
		dlg_buf_put(out, p, n);
	else
		dlg_buf_printf(out, "argument %zu", i + 1);
	return k;
}

/*
 * A text argument holding what the display would escape (SPEC 4): the
 * usage error names the argument and the character. Newlines only where
 * lines is set.
 */
static int check_text(const cli_spec *spec, const char *name,
		      const char *value, int lines)
{
	size_t len = strlen(value), bad;
	size_t at = dlg_escape_span(value, len, lines ? DLG_ESC_LINES : 0, &bad);
	dlg_buf shown = DLG_BUF_INIT;
	int error;

	if (at == len || (spec->flags & CLI_ANY_BYTES))
		return 0;
	if (value[at] == '\n')
		return usage_error(spec, "%s: '%s' spans lines (expected one "
				   "line)", name, value);
	dlg_escape(&shown, value + at, bad, 0);
	error = usage_error(spec, "%s: '%s' holds a control character (%s), "
			    "which text arguments may not hold", name, value,
			    shown.ptr);
	dlg_buf_dispose(&shown);
	return error;
}

static long find_opt(const cli_opt *opts, const char *name, size_t len,
		     char short_name)
{
	long i;

	for (i = 0; opts && opts[i].id; i++) {
		const char *o = cli_opt_name(opts[i].id);

		if (short_name ? opts[i].short_name == short_name
			       : strlen(o) == len && !strncmp(o, name, len))
			return i;
	}
	return -1;
}

int cli_date_arg(char out[DLG_DATE_SIZE], const char *what, const char *text)
{
	if (dlg_date_resolve(out, text, dlg_now()) == 0)
		return 0;
	dlg_error_set("%s: bad date '%s' (expected YYYY-MM-DD, today, "
		      "tomorrow, a weekday, +Nd, +Nw, eow or eom)", what, text);
	return DLG_EUSAGE;
}

/* A CLI_DATE value made YYYY-MM-DD, in a string the arguments own. */
static int own_date(cli_args *a, const char **val, const char *what)
{
	char iso[DLG_DATE_SIZE];
	int error;

	if ((error = cli_date_arg(iso, what, *val)) < 0)
		return error;
	a->owned = realloc(a->owned, (a->nowned + 1) * sizeof(*a->owned));
	if (!a->owned || !(a->owned[a->nowned] = strdup(iso)))
		abort();
	*val = a->owned[a->nowned++];
	return 0;
}

/* An unknown option, and the options perhaps meant (by their long names,
 * for a long option). */
static int unknown_option(const cli_spec *spec, const char *arg)
{
	size_t n = count_opts(spec->opts), i;
	const char **names = calloc(n + 1, sizeof(*names));
	dlg_buf typed = DLG_BUF_INIT, hint = DLG_BUF_INIT;
	int error;

	if (!names)
		abort();
	for (i = 0; i < n; i++)
		names[i] = cli_opt_name(spec->opts[i].id);
	names[n++] = "help";
	if (arg[1] == '-') {
		dlg_buf_put(&typed, arg + 2, strcspn(arg + 2, "="));
		cli_did_you_mean(&hint, typed.ptr, "--", names, n);
	}
	error = usage_error(spec, "unknown option '%s'%s", arg, hint.ptr);
	dlg_buf_dispose(&hint);
	dlg_buf_dispose(&typed);
	free(names);
	return error;
}

/* Long: one pass over argv, a branch per kind of argument, then the
 * positionals; the checks read in the order the grammar has them. */
int cli_parse(cli_args *a, const cli_spec *spec, int argc, char **argv)
{
	size_t n = count_opts(spec->opts), j;
	dlg_buf name = DLG_BUF_INIT;
	int i, only_pos = 0, error = 0;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	a->value = calloc(n + 1, sizeof(*a->value));
	a->multi = calloc(n + 1, sizeof(*a->multi));
	a->nmulti = calloc(n + 1, sizeof(*a->nmulti));
	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->value || !a->multi || !a->nmulti || !a->pos)
		abort();
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		long k;

		if (only_pos || arg[0] != '-' || !arg[1]) {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			cli_help(stdout, spec);
			error = CLI_DONE;
			goto done;
		}
		if (arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

			k = find_opt(spec->opts, arg + 2, len, 0);
			if (eq)
				val = eq + 1;
		} else {
			k = find_opt(spec->opts, NULL, 0, arg[1]);
			if (arg[2])
				val = arg + 2;
		}
		if (k < 0) {
			error = unknown_option(spec, arg);
			goto done;
		}
		if (spec->opts[k].kind == OPT_FLAG) {
			if (val) {
				error = usage_error(spec, "option '%s' takes no "
						    "value", arg);
				goto done;
			}
			a->value[k] = "1";
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				error = usage_error(spec, "option '%s' needs a "
						    "value (%s)", arg,
						    spec->opts[k].arg);
				goto done;
			}
			val = argv[++i];
		}
		dlg_buf_clear(&name);
		dlg_buf_printf(&name, "--%s", cli_opt_name(spec->opts[k].id));
		if ((error = check_text(spec, name.ptr, val,
					spec->opts[k].flags & CLI_LINES)) < 0)
			goto done;
		if (spec->opts[k].flags & CLI_DATE) {
			if (own_date(a, &val, name.ptr) < 0) {
				error = usage_error(spec, "%s",
						    dlg_error_last());
				goto done;
			}
		}
		a->value[k] = val;
		if (spec->opts[k].kind == OPT_MULTI) {
			a->multi[k] = realloc(a->multi[k], (a->nmulti[k] + 1) *
						     sizeof(**a->multi));
			if (!a->multi[k])
				abort();
			a->multi[k][a->nmulti[k]++] = val;
		}
	}
	if (a->npos < spec->min_pos) {
		dlg_buf missing = DLG_BUF_INIT;

		for (j = a->npos; j < spec->min_pos; j++) {
			pos_name(&name, spec, j);
			dlg_buf_printf(&missing, " %s", name.ptr);
		}
		if (spec->args)
			error = usage_error(spec, "missing argument%s%s",
					    spec->min_pos - a->npos > 1 ? "s"
									: "",
					    missing.ptr);
		else
			error = usage_error(spec, "missing argument");
		dlg_buf_dispose(&missing);
		goto done;
	}
	if (a->npos > spec->max_pos) {
		error = usage_error(spec, "unexpected argument '%s'",
				    a->pos[spec->max_pos]);
		goto done;
	}
	for (j = 0; j < a->npos; j++) {
		size_t k = pos_name(&name, spec, j);

		if ((error = check_text(spec, name.ptr, a->pos[j],
					spec->lines & (1u << k))) < 0)
			goto done;
	}
done:
	dlg_buf_dispose(&name);
	return error;
}

void cli_args_dispose(cli_args *a)
{
	size_t i, n = a->spec ? count_opts(a->spec->opts) : 0;

	for (i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);

	for (i = 0; a->multi && i < n; i++)
		free(a->multi[i]);
	free(a->multi);
	free(a->nmulti);
	free(a->value);
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

/* The index of option id in a's table, or -1. */
static long opt_index(const cli_args *a, cli_opt_id id)
{
	long i;

	for (i = 0; a->spec->opts && a->spec->opts[i].id; i++)
		if (a->spec->opts[i].id == id)
			return i;
	return -1;
}

const char *cli_get(const cli_args *a, cli_opt_id id)
{
	long k = opt_index(a, id);

	return k < 0 ? NULL : a->value[k];
}

int cli_flag(const cli_args *a, cli_opt_id id)
{
	return cli_get(a, id) != NULL;
}

size_t cli_multi(const char ***out, const cli_args *a, cli_opt_id id)
{
	long k = opt_index(a, id);

	*out = k < 0 ? NULL : a->multi[k];
	return k < 0 ? 0 : a->nmulti[k];
}

unsigned cli_out_mode(const cli_args *a)
{
	return cli_flag(a, CLI_O_JSON) ? CLI_OUT_JSON : CLI_OUT_SUMMARY;
}

/* --since, --until: the local midnight that starts the date. */
int cli_date_opt(time_t *out, const cli_args *a, cli_opt_id id)
{
	const char *opt = cli_opt_name(id);
	const char *s = cli_get(a, id);
	char iso[DLG_DATE_SIZE];
	int error;

	*out = 0;
	if (!s)
		return 0;
	if (strlen(s) == 20 && dlg_time_valid(s))
		return dlg_time_parse(out, s); /* a time, as it is */
	{
		dlg_buf what = DLG_BUF_INIT;

		dlg_buf_printf(&what, "--%s", opt);
		error = cli_date_arg(iso, what.ptr, s);
		dlg_buf_dispose(&what);
		if (error < 0)
			return error;
	}
	if (dlg_day_start(out, iso) < 0) {
		dlg_error_set("--%s: no such local day '%s'", opt, iso);
		return DLG_EUSAGE;
	}
	return 0;
}

int cli_run_subcommand(cli_ctx *c, int argc, char **argv,
		       const cli_spec *spec, const char *what,
		       const cli_subcommand *subs, size_t n)
{
	const char *names[16];
	dlg_buf hint = DLG_BUF_INIT;
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_help(argc < 2 ? stderr : stdout, spec);
		return argc < 2 ? cli_error_shown(DLG_EUSAGE) : CLI_DONE;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	for (i = 0; i < n && i < sizeof(names) / sizeof(names[0]); i++)
		names[i] = subs[i].name;
	cli_did_you_mean(&hint, argv[1], "", names, i);
	cli_error(DLG_EUSAGE, "unknown %s command '%s'%s", what, argv[1],
		  hint.ptr);
	dlg_buf_dispose(&hint);
	cli_help(stderr, spec);
	return DLG_EUSAGE;
}
