#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "demo/demo.h"

static const char usage[] =
	"usage: kadam demo [--people N [--record-only]] [--db URL] [--config FILE]\n"
	"\n"
	"Applies migrations and loads synthetic demo data (no real person's data):\n"
	"agencies, units and accounts, and synthetic people with Kyrgyz and Russian\n"
	"names in both scripts, documents, addresses, phones, cases of the four kinds\n"
	"allocated to the demo officers, decisions with computed key dates, notes,\n"
	"and their supervision: conditions the decisions authorise (explained to the\n"
	"person), supervision levels, plans, appointments with outcomes and a few\n"
	"variation proposals for the unit heads and the court (judge.bishkek),\n"
	"assessor certifications and risk and needs assessments over time.\n"
	"\n"
	"Safe to run again: existing agencies, units and accounts are left as they\n"
	"are, and without --people the 300 demo people are added only to a database\n"
	"that has no people yet.\n"
	"\n"
	"  --people N   add N more synthetic people (1 to 2000000) with their cases,\n"
	"               numbered on from the people already there (for benchmarks;\n"
	"               commits every 10000 people, progress on stderr)\n"
	"  --record-only with --people: the case record only, without conditions,\n"
	"               plans and the appointment history (a twentieth of the\n"
	"               rows: for benchmarks of search and the case page)\n";

/* A whole number 1..DEMO_PEOPLE_MAX, digits only. */
static bool parse_people(const char *s, long *n_r)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end = NULL;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || *end || n < 1 || n > DEMO_PEOPLE_MAX)
		return false;
	*n_r = n;
	return true;
}

static void print_counts(const struct demo_people_counts *c, double seconds)
{
	printf("Added %ld synthetic people in %.1f s (%ld documents, %ld addresses, %ld phones, %ld aliases),\n"
	       "%ld cases (%ld pre-trial, %ld executive, %ld penitentiary, %ld post-penitentiary; %ld closed,"
	       " %ld awaiting allocation),\n%ld decisions with computed key dates, %ld notes,\n"
	       "%ld conditions (%ld explanations), %ld supervision levels, %ld plans (%ld objectives),\n"
	       "%ld appointments with %ld contacts recorded, %ld variation proposals.\n",
	       c->people, seconds, c->documents, c->addresses, c->phones, c->aliases, c->cases, c->kinds[0],
	       c->kinds[1], c->kinds[2], c->kinds[3], c->closed, c->unallocated, c->decisions, c->notes,
	       c->supervision.conditions, c->supervision.explanations, c->supervision.levels, c->supervision.plans,
	       c->supervision.objectives, c->supervision.appointments, c->supervision.contacts,
	       c->supervision.variations);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"people", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{"record-only", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *db_url = NULL, *config_file = NULL;
	long people = 0;
	bool record_only = false;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'd': db_url = optarg; break;
		case 'c': config_file = optarg; break;
		case 'p':
			if (!parse_people(optarg, &people))
				return cli_usage_error("demo", usage, "--people needs a whole number from 1 to 2000000");
			break;
		case 'r': record_only = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("demo", usage, "unknown option or missing value");
		}
	}
	if (optind < argc)
		return cli_usage_error("demo", usage, "unexpected argument");
	if (record_only && !people)
		return cli_usage_error("demo", usage, "--record-only goes with --people N");
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		config_free(&cfg);
		return 1;
	}
	int rc = 1;
	db *conn = cli_open_migrated(&cfg, true);
	if (conn) {
		char *error = NULL;
		long existing = 0;
		struct demo_people_counts counts;
		if (demo_seed(conn, &error) != DB_OK || demo_people_count(conn, &existing) != DB_OK) {
			fprintf(stderr, "kadam demo: %s\n", error ? error : db_errmsg(conn));
		} else if (people == 0 && existing > 0) {
			printf("The database has %ld people already: no demo people added (--people N adds more).\n", existing);
			rc = 0;
		} else {
			int64_t started = clock_mono_ns();
			enum db_status st = demo_people(conn, people ? people : DEMO_PEOPLE_DEFAULT, people > 0, !record_only, &counts,
			                                       &error);
			struct demo_compliance_counts cc = {0};
			struct demo_assessment_counts ac = {0};
			struct demo_programme_counts pc = {0};
			struct demo_monitoring_counts mc = {0};
			if (st == DB_OK && !record_only && (st = demo_assessments(conn, &ac, &error)) == DB_OK &&
			    (st = demo_programmes(conn, &pc, &error)) == DB_OK &&
			    (st = demo_compliance(conn, &cc, &error)) == DB_OK &&
			    (st = demo_monitoring(conn, &mc, &error)) == DB_OK) {
				print_counts(&counts, (double)(clock_mono_ns() - started) / 1e9);
				printf("Assessments: %ld assessor certifications, %ld assessments (%ld countersigned, %ld superseded,"
				       " %ld awaiting countersignature, %ld drafts),\n%ld reassessment triggers, %ld levels set as the"
				       " latest judgement suggested.\n",
				       ac.certifications, ac.assessments, ac.countersigned, ac.superseded, ac.submitted, ac.drafts,
				       ac.triggers, ac.levels_followed);
				printf("Programmes: %ld partner organisations (%ld partner accounts), %ld programmes, %ld referrals"
				       " (%ld referred, %ld accepted, %ld waitlisted, %ld enrolled, %ld completed, %ld declined,"
				       " %ld withdrawn),\n%ld attendance records, %ld progress notes, %ld reports, %ld reintegration"
				       " needs, %ld release plans (%ld panel meetings, %ld actions), %ld returnee family members"
				       " (%ld child-protection referrals).\n",
				       pc.partners, pc.partner_accounts, pc.programmes, pc.referrals, pc.referrals_by_status[0],
				       pc.referrals_by_status[1], pc.referrals_by_status[2], pc.referrals_by_status[3],
				       pc.referrals_by_status[4], pc.referrals_by_status[5], pc.referrals_by_status[6], pc.attendance,
				       pc.progress_notes, pc.reports, pc.needs, pc.release_plans, pc.panel_meetings, pc.release_actions,
				       pc.family_members, pc.child_protection);
				printf("Compliance: %ld alerts raised by the rules (%ld acknowledged, %ld dismissed, %ld escalated),"
				       " %ld tasks,\n%ld breach allegations, %ld negative and %ld positive responses, %ld complaints.\n",
				       cc.alerts_raised, cc.alerts_acknowledged, cc.alerts_dismissed, cc.escalated, cc.tasks,
				       cc.breaches, cc.responses_negative, cc.responses_positive, cc.complaints);
				printf("Electronic monitoring: %ld devices, %ld orders (%ld zones, %ld devices fitted), %ld fixes,"
				       " %ld device events, %ld device alerts (%ld acknowledged), %ld police requests.\n",
				       mc.devices, mc.orders, mc.zones, mc.fittings, mc.fixes, mc.events, mc.alerts, mc.acknowledged,
				       mc.police_requests);
				rc = 0;
			} else if (st == DB_OK) {
				print_counts(&counts, (double)(clock_mono_ns() - started) / 1e9);
				rc = 0;
			} else {
				fprintf(stderr, "kadam demo: %s (%ld people added before the failure)\n", error ? error : "failed",
				        counts.people);
			}
		}
		free(error);
		if (rc == 0)
			printf("demo data loaded into %s\n", cfg.db);
		db_close(&conn);
	}
	config_free(&cfg);
	return rc;
}
