"""The identity domain: issuer keys, enrolment, credentials and presentations."""
