"""BBS signatures (draft-irtf-cfrg-bbs-signatures), both BLS12-381 ciphersuites."""
