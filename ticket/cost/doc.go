// Package cost estimates what a drift does to the monthly bill: an EC2
// instance_type change (aws_instance), an RDS instance_class change
// (aws_db_instance) and an EBS size or type change (aws_ebs_volume), from
// an embedded table of AWS on-demand list prices.
//
// The table (prices.csv) holds us-east-1 prices as published in January
// 2025: EC2 Linux shared tenancy per hour, RDS MySQL Single-AZ per hour,
// EBS per GB-month of storage. A month is 730 hours. Estimates for other
// regions use the us-east-1 price and say so in Impact.Assumptions. The
// estimate is a signal for a reviewer ("this change adds about $1,100 a
// month"), not a bill: discounts, Savings Plans, IOPS and data transfer are
// not in it.
//
// It imports only detector/drift; the notices layer (ticket) shows the
// Impact in Slack, Jira, email and webhook templates (.CostImpact).
package cost
