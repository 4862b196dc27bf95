"""Loading the official administrative units (provinces and communes) in force since 1 July 2025."""

from django.db import transaction
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import VietNamDivisionType
from vietnam_provinces import Ward as OfficialWard

from onetouch.models import Commune, Province

PROVINCE_KINDS = {
    VietNamDivisionType.TINH: Province.Kind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: Province.Kind.CITY,
}
COMMUNE_KINDS = {
    VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


@transaction.atomic
def admin_units_load() -> tuple[int, int]:
    """Insert or update the official provinces and communes; safe to run any number of times."""
    provinces = [
        Province(
            code=f"{int(p.code):02d}",
            name=p.name,
            kind=PROVINCE_KINDS[p.division_type],
            codename=p.codename,
        )
        for p in OfficialProvince.iter_all()
    ]
    Province.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "codename"],
    )
    province_ids = dict(Province.objects.values_list("code", "id"))
    communes = [
        Commune(
            code=f"{int(w.code):05d}",
            name=w.name,
            kind=COMMUNE_KINDS[w.division_type],
            codename=w.codename,
            province_id=province_ids[f"{int(w.province_code):02d}"],
        )
        for w in OfficialWard.iter_all()
    ]
    Commune.objects.bulk_create(
        communes,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "codename", "province"],
    )
    return len(provinces), len(communes)
