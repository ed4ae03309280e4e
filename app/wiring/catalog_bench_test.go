package wiring

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/state"
)

// The catalog decides which attributes the state index extracts from every
// instance (KeysByType): a bigger catalog keys more types, and some types
// by more attributes. BenchmarkIndexCatalogState measures that cost on a
// state that holds every type the catalog of issue 13 looks up, each
// instance carrying every identifying attribute any of them uses, so that
// the same file can be indexed with an older, smaller catalog and the two
// compared side by side.

// benchIndexTypes are the resource types the catalog looked resources up
// by when issue 13 grew it (189 types).
var benchIndexTypes = strings.Fields(
	"aws_accessanalyzer_analyzer aws_acm_certificate aws_athena_workgroup aws_autoscaling_attachment " +
		"aws_autoscaling_group aws_autoscaling_policy aws_backup_plan aws_backup_selection aws_backup_vault " +
		"aws_backup_vault_lock_configuration aws_backup_vault_policy aws_cloudfront_distribution " +
		"aws_cloudtrail aws_cloudwatch_composite_alarm aws_cloudwatch_dashboard aws_cloudwatch_event_bus " +
		"aws_cloudwatch_event_rule aws_cloudwatch_event_target aws_cloudwatch_log_group " +
		"aws_cloudwatch_log_metric_filter aws_cloudwatch_log_resource_policy " +
		"aws_cloudwatch_log_subscription_filter aws_cloudwatch_metric_alarm aws_codebuild_project " +
		"aws_config_config_rule aws_config_configuration_recorder aws_config_configuration_recorder_status " +
		"aws_config_delivery_channel aws_db_instance aws_dynamodb_table aws_ebs_volume aws_ec2_instance_state " +
		"aws_ecr_lifecycle_policy aws_ecr_repository aws_ecr_repository_policy aws_ecs_cluster " +
		"aws_ecs_cluster_capacity_providers aws_ecs_service aws_ecs_task_definition aws_efs_access_point " +
		"aws_efs_backup_policy aws_efs_file_system aws_efs_file_system_policy aws_efs_mount_target aws_eip " +
		"aws_eip_association aws_eks_cluster aws_eks_node_group aws_elasticache_cluster " +
		"aws_elasticache_parameter_group aws_elasticache_replication_group aws_elasticache_subnet_group " +
		"aws_elasticsearch_domain aws_elb aws_guardduty_detector aws_iam_access_key " +
		"aws_iam_account_password_policy aws_iam_group aws_iam_group_membership aws_iam_group_policy " +
		"aws_iam_group_policy_attachment aws_iam_instance_profile aws_iam_openid_connect_provider " +
		"aws_iam_policy aws_iam_role aws_iam_role_policy aws_iam_role_policy_attachment aws_iam_saml_provider " +
		"aws_iam_user aws_iam_user_login_profile aws_iam_user_policy aws_iam_user_policy_attachment " +
		"aws_instance aws_internet_gateway aws_internet_gateway_attachment aws_kinesis_stream aws_kms_alias " +
		"aws_kms_key aws_kms_key_policy aws_lambda_function aws_lambda_permission aws_launch_configuration " +
		"aws_launch_template aws_lb aws_lb_listener aws_lb_target_group aws_macie2_account aws_nat_gateway " +
		"aws_network_acl aws_network_acl_rule aws_network_interface aws_opensearch_domain " +
		"aws_organizations_account aws_organizations_organizational_unit aws_organizations_policy " +
		"aws_organizations_policy_attachment aws_rds_cluster aws_redshift_cluster aws_redshift_logging " +
		"aws_redshift_parameter_group aws_route aws_route53_record aws_route53_resolver_query_log_config " +
		"aws_route53_resolver_query_log_config_association aws_route53_zone aws_route_table " +
		"aws_route_table_association aws_s3_bucket aws_s3_bucket_acl aws_s3_bucket_lifecycle_configuration " +
		"aws_s3_bucket_logging aws_s3_bucket_ownership_controls aws_s3_bucket_policy " +
		"aws_s3_bucket_public_access_block aws_s3_bucket_server_side_encryption_configuration " +
		"aws_s3_bucket_versioning aws_secretsmanager_secret aws_secretsmanager_secret_policy " +
		"aws_secretsmanager_secret_version aws_security_group aws_securityhub_account aws_sfn_state_machine " +
		"aws_sns_topic aws_sns_topic_policy aws_sns_topic_subscription aws_sqs_queue aws_sqs_queue_policy " +
		"aws_sqs_queue_redrive_policy aws_ssm_document aws_ssm_parameter aws_subnet aws_volume_attachment " +
		"aws_vpc aws_vpc_endpoint aws_vpc_security_group_egress_rule aws_vpc_security_group_ingress_rule " +
		"aws_wafv2_ip_set aws_wafv2_rule_group aws_wafv2_web_acl aws_wafv2_web_acl_association " +
		"aws_wafv2_web_acl_logging_configuration google_apikeys_key google_bigquery_dataset " +
		"google_cloud_run_service google_cloud_run_v2_service google_cloudfunctions2_function " +
		"google_cloudfunctions_function google_compute_disk google_compute_firewall google_compute_instance " +
		"google_compute_network google_compute_route google_compute_router google_compute_subnetwork " +
		"google_container_cluster google_container_node_pool google_dns_managed_zone google_dns_record_set " +
		"google_folder_iam_binding google_folder_iam_member google_folder_iam_policy google_kms_crypto_key " +
		"google_kms_crypto_key_version google_kms_key_ring google_logging_folder_sink " +
		"google_logging_project_bucket_config google_logging_project_sink google_organization_iam_binding " +
		"google_organization_iam_custom_role google_organization_iam_member google_organization_iam_policy " +
		"google_project_iam_binding google_project_iam_custom_role google_project_iam_member " +
		"google_project_iam_policy google_pubsub_subscription google_pubsub_topic " +
		"google_secret_manager_secret google_secret_manager_secret_version google_service_account " +
		"google_service_account_iam_binding google_service_account_iam_member " +
		"google_service_account_iam_policy google_service_account_key google_sql_database_instance " +
		"google_storage_bucket google_storage_bucket_iam_binding google_storage_bucket_iam_member " +
		"google_storage_bucket_iam_policy ")

// benchIndexAttrs are the attributes those lookups use (49).
var benchIndexAttrs = strings.Fields(
	"alarm_name analyzer_name arn autoscaling_group_name backup_vault_name bucket cluster_id " +
		"cluster_identifier cluster_name dashboard_name dataset_id domain_name email event_bus_name family " +
		"file_system_id folder function_name group id identifier instance_id key_id lb_target_group_arn " +
		"log_group_name member name org_id policy_arn policy_id policy_name project queue_url " +
		"replication_group_id repository resolver_query_log_config_id resource_arn resource_id role rule " +
		"secret_arn secret_id service_account_id statement_id target_id unique_id user volume_id zone_id ")

// writeIndexBenchState writes n instances cycling over benchIndexTypes,
// each with every attribute of benchIndexAttrs and ten more that no key
// uses, the way Terraform lays state out (attributes sorted by name).
func writeIndexBenchState(tb testing.TB, n int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "index.tfstate")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"bench","outputs":{},"resources":[`)
	per := n / len(benchIndexTypes)
	names := append(append([]string(nil), benchIndexAttrs...), "description", "filler_a", "filler_b", "filler_c",
		"filler_d", "filler_e", "filler_f", "filler_g", "tags", "tags_all")
	sort.Strings(names)
	for ti, typ := range benchIndexTypes {
		if ti > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, `{"mode":"managed","type":%q,"name":"r","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[`, typ)
		for i := 0; i < per; i++ {
			if i > 0 {
				w.WriteString(",")
			}
			fmt.Fprintf(w, `{"index_key":%d,"schema_version":0,"attributes":{`, i)
			for j, a := range names {
				if j > 0 {
					w.WriteString(",")
				}
				switch a {
				case "tags", "tags_all":
					fmt.Fprintf(w, `%q:{"team":"t%d"}`, a, i%7)
				default:
					fmt.Fprintf(w, `%q:"%s-%s-%d"`, a, a, typ, i)
				}
			}
			w.WriteString(`},"sensitive_attributes":[]}`)
		}
		w.WriteString("]}")
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkIndexCatalogState loads a 37,800-instance state (200 per type)
// and indexes it with the built-in catalog's keys, as NewDetector and the
// daemon's refresher do. "load+index" is the whole refresh; "index" only
// the catalog-dependent part, on a snapshot parsed once.
func BenchmarkIndexCatalogState(b *testing.B) {
	const perType = 200
	n := perType * len(benchIndexTypes)
	path := writeIndexBenchState(b, n)
	backend := state.NewLocal(path, state.Source{Account: "123456789012"})
	cat := catalog.Default()
	ctx := context.Background()
	check := func(b *testing.B, ix *state.Index, cpu time.Duration) {
		if ix.Len() != n {
			b.Fatalf("indexed %d instances, want %d", ix.Len(), n)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu_ms/op")
	}
	b.Run("load+index", func(b *testing.B) {
		b.ReportAllocs()
		var ix *state.Index
		cpu0 := cpuTime()
		for b.Loop() {
			snap, _, err := state.Load(ctx, backend)
			if err != nil {
				b.Fatal(err)
			}
			ix = NewIndex(cat)
			ix.Replace(snap)
		}
		check(b, ix, cpuTime()-cpu0)
	})
	b.Run("index", func(b *testing.B) {
		snap, _, err := state.Load(ctx, backend)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var ix *state.Index
		cpu0 := cpuTime()
		for b.Loop() {
			ix = NewIndex(cat)
			ix.Replace(snap)
		}
		check(b, ix, cpuTime()-cpu0)
	})
}

// BenchmarkReplayMixCPU is BenchmarkReplayMix reporting the process CPU
// time of the replays alone: on a machine shared with other work, CPU time
// moves far less than wall time, so two catalogs can be compared in one
// run.
func BenchmarkReplayMixCPU(b *testing.B) {
	const events = 20000
	data := benchEvents(events, 10000)
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		det := benchDetector(b, 10000)
		out, _ := NewOutput(FormatJSON, io.Discard)
		b.StartTimer()
		c0 := cpuTime()
		if _, err := Replay(context.Background(), ReplayOptions{Inputs: []string{"-"}, Stdin: strings.NewReader(string(data)), Engine: det.Engine, Output: out}); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(events*b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu_ms/op")
}
