data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
}
