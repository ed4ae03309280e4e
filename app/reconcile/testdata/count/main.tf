terraform {
  backend "local" {
    path = "STATE_PATH"
  }
}

# Two identical groups: every instance shares this block.
resource "aws_security_group" "web" {
  count       = 2
  name        = "web-${count.index}"
  description = "Web tier"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
