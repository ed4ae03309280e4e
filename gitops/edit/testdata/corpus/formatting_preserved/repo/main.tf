resource "aws_instance" "legacy" {
    ami = "ami-0abcdef1234567890"
    instance_type="t2.micro"
    tags = {
        Name="legacy"
    }
}

resource   "aws_eip"   "legacy" {
  instance    =    aws_instance.legacy.id
}
