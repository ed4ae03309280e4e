resource "aws_network_acl_rule" "allow_vpn" {
  network_acl_id = "acl-0123456789abcdef0"
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.8.0.0/16"
  from_port      = 443
  to_port        = 443
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id          = "vpc-0a1b2c3d4e5f67890"
  service_name    = "com.amazonaws.eu-west-1.s3"
  route_table_ids = ["rtb-0aaaaaaaaaaaaaaaa", "rtb-0bbbbbbbbbbbbbbbb"]
}
