resource "aws_security_group_rule" "https" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks = [
    # Offices.
    "203.0.113.0/24",  # Berlin
    "198.51.100.0/24", # Lisbon
    # VPN.
    "192.0.2.0/24" # WireGuard
  ]
}
