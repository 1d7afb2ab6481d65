"""The X12 error codes a validation `Issue` carries, one table per acknowledgement element.

`Issue.level` says which table `Issue.code` is from: "interchange" -> TA105, "group" -> AK905,
"transaction" -> AK502 / IK502, "segment" -> AK304 / IK304, "element" -> AK403 / IK403.
Keeping them here, named, means the reader, the structure validator and the ack builder
cannot disagree on a number.
"""

from __future__ import annotations

# TA105 interchange note codes (I18)
TA_OK = "000"
TA_CONTROL_MISMATCH = "001"          # ISA13 and IEA02 differ
TA_VERSION_UNSUPPORTED = "003"
TA_BAD_TERMINATOR = "004"
TA_BAD_SENDER_QUAL = "005"
TA_BAD_SENDER = "006"
TA_BAD_RECEIVER_QUAL = "007"
TA_BAD_RECEIVER = "008"
TA_BAD_AUTH_QUAL = "010"
TA_BAD_AUTH = "011"
TA_BAD_SECURITY_QUAL = "012"
TA_BAD_SECURITY = "013"
TA_BAD_DATE = "014"
TA_BAD_TIME = "015"
TA_BAD_STANDARDS_ID = "016"
TA_BAD_VERSION = "017"
TA_BAD_CONTROL_NUMBER = "018"
TA_BAD_ACK_REQUESTED = "019"
TA_BAD_TEST_INDICATOR = "020"
TA_BAD_GROUP_COUNT = "021"
TA_BAD_STRUCTURE = "022"
TA_PREMATURE_EOF = "023"
TA_BAD_CONTENT = "024"
TA_DUPLICATE = "025"
TA_BAD_ELEMENT_SEP = "026"
TA_BAD_COMPONENT_SEP = "027"

# ISA05 / ISA07 interchange id qualifiers (I05), 004010's and the later versions' (a 004010 partner may use
# a code 005010 added: either list's code is taken); anything else is TA105 005 / 007 in a TA1 E (a warning)
INTERCHANGE_ID_QUALIFIERS = frozenset(
    [*(f"{n:02d}" for n in (1, 2, 3, 4, *range(7, 39))), "AM", "NR", "SA", "SN", "ZZ"])

# AK905 functional group syntax error codes (716)
GROUP_NOT_SUPPORTED = "1"
GROUP_VERSION_UNSUPPORTED = "2"
GROUP_TRAILER_MISSING = "3"
GROUP_CONTROL_MISMATCH = "4"
GROUP_COUNT_MISMATCH = "5"
GROUP_CONTROL_SYNTAX = "6"
GROUP_CONTROL_NOT_UNIQUE = "19"

# AK502 / IK502 transaction set syntax error codes (718)
TX_NOT_SUPPORTED = "1"
TX_TRAILER_MISSING = "2"
TX_CONTROL_MISMATCH = "3"
TX_COUNT_MISMATCH = "4"
TX_SEGMENTS_IN_ERROR = "5"
TX_BAD_ID = "6"
TX_BAD_CONTROL_NUMBER = "7"
TX_CONTROL_NOT_UNIQUE = "23"

# AK304 / IK304 segment syntax error codes (720)
SEG_UNRECOGNIZED = "1"
SEG_UNEXPECTED = "2"
SEG_MANDATORY_MISSING = "3"
SEG_LOOP_OVER_MAX = "4"
SEG_OVER_MAX_USE = "5"
SEG_NOT_IN_SET = "6"
SEG_OUT_OF_SEQUENCE = "7"
SEG_HAS_ELEMENT_ERRORS = "8"

# AK403 / IK403 data element syntax error codes (723)
EL_MANDATORY_MISSING = "1"
EL_CONDITIONAL_MISSING = "2"
EL_TOO_MANY = "3"
EL_TOO_SHORT = "4"
EL_TOO_LONG = "5"
EL_BAD_CHARACTER = "6"
EL_BAD_CODE = "7"
EL_BAD_DATE = "8"
EL_BAD_TIME = "9"
EL_EXCLUSION = "10"
EL_TOO_MANY_REPEATS = "12"
EL_TOO_MANY_COMPONENTS = "13"

# In the 999 only (IK403 / IK304 implementation codes) are a superset; we use the common ones.
