from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation


class ImportForm(forms.Form):
    KIND_CHOICES = [("parcels", _("แปลงที่ดิน / parcels")), ("villages", _("หมู่บ้าน / villages"))]

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("อปท. / organisation")
    )
    kind = forms.ChoiceField(choices=KIND_CHOICES, label=_("ข้อมูล / data"))
    file = forms.FileField(
        label=_("ไฟล์ (GeoPackage, GeoJSON, Shapefile แบบ zip) / file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".gpkg,.geojson,.json,.zip"}),
    )
    field_map = forms.CharField(
        required=False,
        label=_("จับคู่ชื่อคอลัมน์ / column mapping"),
        help_text=_("บรรทัดละหนึ่งคู่ OURS=THEIRS เช่น parcel_code=PCODE / one OURS=THEIRS per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, label=_("ตรวจสอบอย่างเดียว ไม่บันทึก / check only (dry run)")
    )

    def __init__(self, *args, organisations=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
