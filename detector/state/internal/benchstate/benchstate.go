// Package benchstate writes the large synthetic Terraform states the
// state package's benchmarks and the reload-memory measurement load.
package benchstate

import (
	"bufio"
	"fmt"
	"io"
)

// The instance templates below are laid out as Terraform writes state:
// two-space indentation, attributes sorted by name, 12 spaces deep.

// awsInstanceAttrs has the 55 attributes of a current aws_instance.
// Arguments: 1 service, 2 instance number, 3 instance id.
const awsInstanceAttrs = `{
            "ami": "ami-0c55b159cbfafe1f0",
            "arn": "arn:aws:ec2:us-east-1:123456789012:instance/%[3]s",
            "associate_public_ip_address": false,
            "availability_zone": "us-east-1a",
            "capacity_reservation_specification": [
              {
                "capacity_reservation_preference": "open",
                "capacity_reservation_target": []
              }
            ],
            "cpu_core_count": 1,
            "cpu_options": [
              {
                "amd_sev_snp": "",
                "core_count": 1,
                "threads_per_core": 2
              }
            ],
            "cpu_threads_per_core": 2,
            "credit_specification": [
              {
                "cpu_credits": "unlimited"
              }
            ],
            "disable_api_stop": false,
            "disable_api_termination": false,
            "ebs_block_device": [],
            "ebs_optimized": false,
            "enclave_options": [
              {
                "enabled": false
              }
            ],
            "ephemeral_block_device": [],
            "get_password_data": false,
            "hibernation": false,
            "host_id": "",
            "host_resource_group_arn": null,
            "iam_instance_profile": "svc-%[1]d-worker",
            "id": "%[3]s",
            "instance_initiated_shutdown_behavior": "stop",
            "instance_lifecycle": "",
            "instance_market_options": [],
            "instance_state": "running",
            "instance_type": "t3.micro",
            "ipv6_address_count": 0,
            "ipv6_addresses": [],
            "key_name": "deploy",
            "launch_template": [],
            "maintenance_options": [
              {
                "auto_recovery": "default"
              }
            ],
            "metadata_options": [
              {
                "http_endpoint": "enabled",
                "http_protocol_ipv6": "disabled",
                "http_put_response_hop_limit": 1,
                "http_tokens": "required",
                "instance_metadata_tags": "disabled"
              }
            ],
            "monitoring": false,
            "network_interface": [],
            "outpost_arn": "",
            "password_data": "",
            "placement_group": "",
            "placement_partition_number": 0,
            "primary_network_interface_id": "eni-0%016[2]x",
            "private_dns": "ip-10-%[1]d-0-%[2]d.ec2.internal",
            "private_dns_name_options": [
              {
                "enable_resource_name_dns_a_record": false,
                "enable_resource_name_dns_aaaa_record": false,
                "hostname_type": "ip-name"
              }
            ],
            "private_ip": "10.%[1]d.0.%[2]d",
            "public_dns": "",
            "public_ip": "",
            "root_block_device": [
              {
                "delete_on_termination": true,
                "device_name": "/dev/xvda",
                "encrypted": true,
                "iops": 3000,
                "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/0f4d6c2e-1b3a-4e5f-8a9b-7c6d5e4f3a2b",
                "tags": {},
                "throughput": 125,
                "volume_id": "vol-0%016[2]x",
                "volume_size": 8,
                "volume_type": "gp3"
              }
            ],
            "secondary_private_ips": [],
            "security_groups": [],
            "source_dest_check": true,
            "spot_instance_request_id": "",
            "subnet_id": "subnet-0aaa00000000000%[1]d",
            "tags": {
              "Name": "svc-%[1]d-worker-%[2]d",
              "Service": "svc-%[1]d",
              "Team": "platform"
            },
            "tags_all": {
              "Environment": "prod",
              "ManagedBy": "terraform",
              "Name": "svc-%[1]d-worker-%[2]d",
              "Service": "svc-%[1]d",
              "Team": "platform"
            },
            "tenancy": "default",
            "timeouts": null,
            "user_data": "4f0a1c9d0e7b3a5f8c2d6e1f9a0b3c7d5e2f8a1b",
            "user_data_base64": null,
            "user_data_replace_on_change": false,
            "volume_tags": null,
            "vpc_security_group_ids": [
              "sg-0%016[1]x"
            ]
          }`

// Arguments: 1 service, 2 security group id.
const securityGroupAttrs = `{
            "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/%[2]s",
            "description": "svc-%[1]d web tier",
            "egress": [
              {
                "cidr_blocks": [
                  "0.0.0.0/0"
                ],
                "description": "",
                "from_port": 0,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "-1",
                "security_groups": [],
                "self": false,
                "to_port": 0
              }
            ],
            "id": "%[2]s",
            "ingress": [
              {
                "cidr_blocks": [
                  "10.0.0.0/8"
                ],
                "description": "https from the VPC",
                "from_port": 443,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "tcp",
                "security_groups": [],
                "self": false,
                "to_port": 443
              },
              {
                "cidr_blocks": [],
                "description": "app port from the load balancer",
                "from_port": 8080,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "tcp",
                "security_groups": [
                  "sg-0lb%013[1]x"
                ],
                "self": false,
                "to_port": 8080
              },
              {
                "cidr_blocks": [],
                "description": "",
                "from_port": 0,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "-1",
                "security_groups": [],
                "self": true,
                "to_port": 0
              }
            ],
            "name": "svc-%[1]d-web",
            "name_prefix": "",
            "owner_id": "123456789012",
            "revoke_rules_on_delete": false,
            "tags": {
              "Name": "svc-%[1]d-web"
            },
            "tags_all": {
              "Environment": "prod",
              "ManagedBy": "terraform",
              "Name": "svc-%[1]d-web"
            },
            "timeouts": null,
            "vpc_id": "vpc-0a1b2c3d4e5f60718"
          }`

// Arguments: 1 bucket name.
const bucketAttrs = `{
            "acceleration_status": "",
            "acl": null,
            "arn": "arn:aws:s3:::%[1]s",
            "bucket": "%[1]s",
            "bucket_domain_name": "%[1]s.s3.amazonaws.com",
            "bucket_prefix": "",
            "bucket_regional_domain_name": "%[1]s.s3.us-east-1.amazonaws.com",
            "cors_rule": [],
            "force_destroy": false,
            "grant": [
              {
                "id": "0d4b3c2a1f0e9d8c7b6a5f4e3d2c1b0a0d4b3c2a1f0e9d8c7b6a5f4e3d2c1b0a",
                "permissions": [
                  "FULL_CONTROL"
                ],
                "type": "CanonicalUser",
                "uri": ""
              }
            ],
            "hosted_zone_id": "Z3AQBSTGFYJSTF",
            "id": "%[1]s",
            "lifecycle_rule": [],
            "logging": [],
            "object_lock_configuration": [],
            "object_lock_enabled": false,
            "policy": "",
            "region": "us-east-1",
            "replication_configuration": [],
            "request_payer": "BucketOwner",
            "server_side_encryption_configuration": [
              {
                "rule": [
                  {
                    "apply_server_side_encryption_by_default": [
                      {
                        "kms_master_key_id": "",
                        "sse_algorithm": "AES256"
                      }
                    ],
                    "bucket_key_enabled": false
                  }
                ]
              }
            ],
            "tags": {
              "Name": "%[1]s"
            },
            "tags_all": {
              "ManagedBy": "terraform",
              "Name": "%[1]s"
            },
            "timeouts": null,
            "versioning": [
              {
                "enabled": true,
                "mfa_delete": false
              }
            ],
            "website": [],
            "website_domain": null,
            "website_endpoint": null
          }`

// Arguments: 1 role, 2 policy name, 3 bucket.
const rolePolicyAttrs = `{
            "id": "%[1]s:%[2]s",
            "name": "%[2]s",
            "name_prefix": "",
            "policy": "{\"Statement\":[{\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::%[3]s/*\"},{\"Action\":[\"kms:Decrypt\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:kms:us-east-1:123456789012:key/0f4d6c2e-1b3a-4e5f-8a9b-7c6d5e4f3a2b\"}],\"Version\":\"2012-10-17\"}",
            "role": "%[1]s"
          }`

const benchProvider = `provider[\"registry.terraform.io/hashicorp/aws\"]`

// stateWriter writes a state document resource by resource.
type stateWriter struct {
	w         *bufio.Writer
	resources int // resource blocks written
	instances int // managed instances written
}

func (sw *stateWriter) begin(module, mode, rtype, name string) {
	if sw.resources > 0 {
		sw.w.WriteString(",\n")
	}
	sw.resources++
	sw.w.WriteString("    {\n")
	if module != "" {
		fmt.Fprintf(sw.w, "      \"module\": %q,\n", module)
	}
	fmt.Fprintf(sw.w, "      \"mode\": %q,\n      \"type\": %q,\n      \"name\": %q,\n      \"provider\": \"%s\",\n      \"instances\": [\n",
		mode, rtype, name, benchProvider)
}

// instance writes one instance; key is nil, an int or a string.
func (sw *stateWriter) instance(first bool, key any, attrs string, deps ...string) {
	if !first {
		sw.w.WriteString(",\n")
	}
	sw.instances++
	sw.w.WriteString("        {\n")
	switch k := key.(type) {
	case int:
		fmt.Fprintf(sw.w, "          \"index_key\": %d,\n", k)
	case string:
		fmt.Fprintf(sw.w, "          \"index_key\": %q,\n", k)
	}
	sw.w.WriteString("          \"schema_version\": 1,\n          \"attributes\": ")
	sw.w.WriteString(attrs)
	sw.w.WriteString(",\n          \"sensitive_attributes\": [],\n")
	sw.w.WriteString("          \"private\": \"eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjo2MDAwMDAwMDAwMDB9fQ==\"")
	if len(deps) > 0 {
		sw.w.WriteString(",\n          \"dependencies\": [\n")
		for i, d := range deps {
			if i > 0 {
				sw.w.WriteString(",\n")
			}
			fmt.Fprintf(sw.w, "            %q", d)
		}
		sw.w.WriteString("\n          ]")
	}
	sw.w.WriteString("\n        }")
}

func (sw *stateWriter) end() { sw.w.WriteString("\n      ]\n    }") }

// Write writes a state with n managed instances: 40% aws_instance
// (count), 25% aws_security_group, 20% aws_s3_bucket (for_each) and 15%
// aws_iam_role_policy, spread over service modules (some with instance
// keys, some nested), plus data sources that Parse must skip.
func Write(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	sw := &stateWriter{w: bw}
	bw.WriteString("{\n  \"version\": 4,\n  \"terraform_version\": \"1.5.7\",\n  \"serial\": 1234,\n" +
		"  \"lineage\": \"3f6c1d2e-8a4b-4c1e-9d7a-5b2f0e6a9c13\",\n  \"outputs\": {\n" +
		"    \"vpc_id\": {\n      \"value\": \"vpc-0a1b2c3d4e5f60718\",\n      \"type\": \"string\"\n    }\n  },\n  \"resources\": [\n")
	bucketKeys := []string{"assets", "backups", "data", "logs"}
	for svc := 0; sw.instances < n; svc++ {
		module := fmt.Sprintf("module.svc_%d", svc)
		switch svc % 3 {
		case 1:
			module = fmt.Sprintf("module.svc[%d]", svc)
		case 2:
			module = fmt.Sprintf("module.env[\"prod\"].module.svc_%d", svc)
		}
		// Per service: 8 instances, 5 security groups, 4 buckets, 3
		// role policies: 20 instances in the 40/25/20/15 mix.
		sw.begin(module, "data", "aws_iam_policy_document", "assume")
		sw.instance(true, nil, `{"id": "2851119427", "json": "{\"Version\":\"2012-10-17\"}"}`)
		sw.end()
		sw.instances-- // data sources are not managed instances

		sw.begin(module, "managed", "aws_instance", "workers")
		for i := range 8 {
			sw.instance(i == 0, i, fmt.Sprintf(awsInstanceAttrs, svc, i, fmt.Sprintf("i-%017x", svc*8+i)), module+".aws_security_group.web")
		}
		sw.end()
		for g := range 5 {
			sw.begin(module+".module.net", "managed", "aws_security_group", fmt.Sprintf("sg%d", g))
			sw.instance(true, nil, fmt.Sprintf(securityGroupAttrs, svc, fmt.Sprintf("sg-%017x", svc*5+g)))
			sw.end()
		}
		sw.begin(module, "managed", "aws_s3_bucket", "b")
		for i, k := range bucketKeys {
			sw.instance(i == 0, k, fmt.Sprintf(bucketAttrs, fmt.Sprintf("acme-svc-%d-%s", svc, k)))
		}
		sw.end()
		for p := range 3 {
			sw.begin(module, "managed", "aws_iam_role_policy", fmt.Sprintf("p%d", p))
			role := fmt.Sprintf("svc-%d-role", svc)
			sw.instance(true, nil, fmt.Sprintf(rolePolicyAttrs, role, fmt.Sprintf("policy-%d", p), fmt.Sprintf("acme-svc-%d-data", svc)), module+".aws_iam_role.this")
			sw.end()
		}
	}
	bw.WriteString("\n  ],\n  \"check_results\": null\n}\n")
	return bw.Flush()
}
