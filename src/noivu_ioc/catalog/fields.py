"""What the sector modules share: short names for field types and sensitivities, and the
fields that many sectors hold (where a row is, whom it is about, which agency it belongs to).

A factory fixes what a field is (its name, type, code list and reference) and leaves to the
sector what differs: the labels, whether the field is required and how sensitive it is.
Defaults are the model's own (optional, internal), so a call shows every departure from
them; the personal-data factories have no default sensitivity, because Decree 13/2023/NĐ-CP
asks each sector to decide it.
"""

from noivu_ioc.catalog.model import Field, FieldType, Sensitivity

STRING = FieldType.STRING
INTEGER = FieldType.INTEGER
DECIMAL = FieldType.DECIMAL
DATE = FieldType.DATE
TIMESTAMP = FieldType.TIMESTAMP
BOOLEAN = FieldType.BOOLEAN
CODE = FieldType.CODE

PUBLIC = Sensitivity.PUBLIC
INTERNAL = Sensitivity.INTERNAL
PERSONAL = Sensitivity.PERSONAL
SENSITIVE = Sensitivity.SENSITIVE

ADMIN_UNIT_CODE = "admin_unit.code"

# The description sectors 5 to 7 give the province codes they do not check against admin_unit.
PROVINCE_NOTE_VI = "Mã tỉnh, thành phố (2 chữ số, Cục Thống kê)"


def province_code(
    label_vi: str = "Mã tỉnh", label_en: str = "Province code", *, required: bool = False,
    sensitivity: Sensitivity = INTERNAL, ref: str | None = ADMIN_UNIT_CODE, description: str = "",
) -> Field:
    """``province_code``: the 2-digit code of the province a row belongs to; ``ref=None``
    leaves it unchecked against the administrative units."""
    return Field(
        "province_code", label_vi, label_en, STRING, required, sensitivity, ref=ref,
        description=description,
    )


def commune_code(
    label_vi: str = "Mã xã", label_en: str = "Commune code", *, required: bool = False,
    sensitivity: Sensitivity = INTERNAL, ref: str | None = ADMIN_UNIT_CODE, description: str = "",
) -> Field:
    """``commune_code``: the 5-digit code of the commune (xã, phường, đặc khu) of a row;
    ``ref=None`` leaves it unchecked against the administrative units."""
    return Field(
        "commune_code", label_vi, label_en, STRING, required, sensitivity, ref=ref,
        description=description,
    )


def person_ref(
    label_vi: str = "Mã hồ sơ", label_en: str = "Dossier identifier", *, required: bool = False,
    sensitivity: Sensitivity = INTERNAL, description: str = "",
) -> Field:
    """``person_id``: a dossier of the national personnel database."""
    return Field(
        "person_id", label_vi, label_en, STRING, required, sensitivity, ref="person.person_id",
        description=description,
    )


def agency_ref(
    label_vi: str = "Cơ quan, đơn vị", label_en: str = "Agency", *, required: bool = False,
    sensitivity: Sensitivity = INTERNAL,
) -> Field:
    """``agency_id``: an agency or public service unit of sector 1."""
    return Field(
        "agency_id", label_vi, label_en, STRING, required, sensitivity, ref="agency.agency_id"
    )


def government_level(
    label_vi: str = "Cấp hành chính", label_en: str = "Government level", *,
    required: bool = False, sensitivity: Sensitivity = INTERNAL,
) -> Field:
    """``level``: central, provincial or commune government."""
    return Field(
        "level", label_vi, label_en, CODE, required, sensitivity, codelist="government_level"
    )


def staff_category(*, required: bool = False, sensitivity: Sensitivity = INTERNAL) -> Field:
    """``staff_category``: cadre, civil servant, public employee or contract staff."""
    return Field(
        "staff_category", "Đối tượng", "Staff category", CODE, required, sensitivity,
        codelist="staff_category",
    )


def full_name(*, required: bool = False, sensitivity: Sensitivity, description: str = "") -> Field:
    return Field(
        "full_name", "Họ và tên", "Full name", STRING, required, sensitivity,
        description=description,
    )


def sex(*, required: bool = False, sensitivity: Sensitivity) -> Field:
    return Field("sex", "Giới tính", "Sex", CODE, required, sensitivity, codelist="sex")


def birth_date(*, required: bool = False, sensitivity: Sensitivity) -> Field:
    return Field("birth_date", "Ngày sinh", "Date of birth", DATE, required, sensitivity)


def birth_year(*, required: bool = False, sensitivity: Sensitivity) -> Field:
    return Field("birth_year", "Năm sinh", "Year of birth", INTEGER, required, sensitivity)


def ethnicity(*, required: bool = False, sensitivity: Sensitivity) -> Field:
    return Field(
        "ethnicity", "Dân tộc", "Ethnicity", CODE, required, sensitivity, codelist="ethnicity"
    )


def religion(
    label_vi: str = "Tôn giáo", label_en: str = "Religion", *, required: bool = False,
    sensitivity: Sensitivity,
) -> Field:
    """``religion``: a person's religion is sensitive data; an organisation's is public."""
    return Field("religion", label_vi, label_en, CODE, required, sensitivity, codelist="religion")
