variable "size" {
  type    = string
  default = "t3.micro"
}

variable "detailed_monitoring" {
  type    = bool
  default = false
}
