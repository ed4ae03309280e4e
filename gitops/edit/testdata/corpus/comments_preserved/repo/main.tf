/*
 * Bastion host. Owned by the SRE team; see RUNBOOK.md before changing.
 */
resource "aws_instance" "bastion" {
  # Pinned AMI: CIS-hardened Ubuntu 22.04.
  ami = "ami-0abcdef1234567890" # do not bump without the security review

  // Small is enough: it only forwards SSH.
  instance_type = "t3.nano" # cheap

  tags = {
    # Used by the SSH config generator.
    Name = "bastion"
    Role = "jump" # inventory group
  }
}
