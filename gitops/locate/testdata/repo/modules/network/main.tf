resource "aws_vpc" "main" {
  cidr_block = var.cidr_block

  tags = {
    Name = var.name
  }
}

module "sg" {
  source = "../sg"

  vpc_id = aws_vpc.main.id
  ports  = [22, 443]
}

resource "aws_subnet" "private" {
  for_each   = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
}
