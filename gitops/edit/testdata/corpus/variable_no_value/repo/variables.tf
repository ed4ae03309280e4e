variable "size" {
  type = string
}
