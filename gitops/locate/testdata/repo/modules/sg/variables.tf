variable "vpc_id" {
  type = string
}

variable "ports" {
  type    = list(number)
  default = [22]
}
