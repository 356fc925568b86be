"""Invariants of the data model: enforced by clean() for people and by the database for everything else."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import CloudPrice, FoundationModel, Hardware, Organization, PricePoint, Source, TrainingRun
from tests.factories import make_hardware, make_model, make_org, make_price

pytestmark = pytest.mark.django_db


def integrity_error(callable_):
    """Run ``callable_`` in its own savepoint and report whether the database refused it."""
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def offering():
    provider = make_org("provider", is_cloud_provider=True)
    return make_model("acme-lm"), provider


class TestNonNegative:
    def test_full_clean_rejects_a_negative_spec(self):
        chip = make_hardware()
        chip.bf16_flops = -1.0
        with pytest.raises(ValidationError) as error:
            chip.full_clean()
        assert "bf16_flops" in error.value.message_dict

    @pytest.mark.parametrize("field", ["bf16_flops", "memory_bandwidth", "tdp_watts", "transistors", "memory_bytes"])
    def test_database_refuses_a_negative_spec(self, field):
        chip = make_hardware()
        assert integrity_error(lambda: Hardware.objects.filter(pk=chip.pk).update(**{field: -1}))

    def test_database_refuses_a_negative_price(self, offering):
        price = make_price(*offering, "2024-01-01")
        assert integrity_error(lambda: PricePoint.objects.filter(pk=price.pk).update(output_per_mtok=Decimal("-0.01")))

    def test_database_refuses_negative_parameters(self):
        model = make_model()
        assert integrity_error(lambda: FoundationModel.objects.filter(pk=model.pk).update(parameters=-5))

    def test_unknown_values_stay_allowed(self):
        chip = make_hardware(bf16_flops=None)
        chip.full_clean()


class TestPricePeriods:
    def test_end_must_follow_start_in_clean(self, offering):
        price = PricePoint(
            model=offering[0],
            provider=offering[1],
            api_model_id="x",
            input_per_mtok=1,
            output_per_mtok=2,
            effective_from=datetime.date(2024, 5, 1),
            effective_to=datetime.date(2024, 5, 1),
        )
        with pytest.raises(ValidationError) as error:
            price.full_clean()
        assert "effective_to" in error.value.message_dict

    def test_end_must_follow_start_in_the_database(self, offering):
        assert integrity_error(lambda: make_price(*offering, "2024-05-01", "2024-04-01"))

    def test_adjacent_periods_are_fine_because_the_end_is_exclusive(self, offering):
        make_price(*offering, "2023-03-01", "2023-06-13")
        later = make_price(*offering, "2023-06-13", input_price="0.50")
        later.full_clean()
        assert PricePoint.objects.count() == 2

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("2023-05-01", "2023-07-01"),
            ("2023-01-01", None),
            ("2023-03-01", "2023-03-02"),
            ("2022-01-01", "2024-01-01"),
        ],
    )
    def test_overlap_is_refused_by_clean(self, offering, start, end):
        make_price(*offering, "2023-03-01", "2023-06-13")
        clash = PricePoint(
            model=offering[0],
            provider=offering[1],
            api_model_id="acme-lm-1",
            context_tier="standard",
            input_per_mtok=1,
            output_per_mtok=2,
            effective_from=datetime.date.fromisoformat(start),
            effective_to=datetime.date.fromisoformat(end) if end else None,
        )
        with pytest.raises(ValidationError, match="overlaps"):
            clash.full_clean()

    @pytest.mark.parametrize(("start", "end"), [("2023-05-01", "2023-07-01"), ("2022-01-01", None)])
    def test_overlap_is_refused_by_the_database_on_insert(self, offering, start, end):
        make_price(*offering, "2023-03-01", "2023-06-13")
        assert integrity_error(lambda: make_price(*offering, start, end))
        assert PricePoint.objects.count() == 1

    def test_two_open_ended_periods_are_refused_by_the_database(self, offering):
        make_price(*offering, "2023-03-01")
        assert integrity_error(lambda: make_price(*offering, "2024-03-01"))

    def test_overlap_is_refused_by_the_database_on_update(self, offering):
        make_price(*offering, "2023-03-01", "2023-06-13")
        later = make_price(*offering, "2023-06-13")
        assert integrity_error(lambda: PricePoint.objects.filter(pk=later.pk).update(effective_from="2023-06-01"))

    def test_other_tiers_and_ids_do_not_clash(self, offering):
        make_price(*offering, "2023-03-01")
        make_price(*offering, "2023-03-01", tier="over-200k")
        make_price(*offering, "2023-03-01", api_model_id="acme-lm-2")
        assert PricePoint.objects.count() == 3

    def test_cloud_price_periods_cannot_overlap_either(self):
        provider = make_org("cloud", is_cloud_provider=True)
        chip = make_hardware()

        def cloud_price(start):
            return CloudPrice.objects.create(
                provider=provider,
                hardware=chip,
                instance_type="npu.8x",
                accelerators_per_instance=8,
                region="kr-central-1",
                price_per_hour=Decimal("20.00"),
                effective_from=start,
            )

        cloud_price("2024-01-01")
        assert integrity_error(lambda: cloud_price("2025-01-01"))


class TestPriceHistoryQueries:
    def test_in_force_on_treats_start_as_inclusive_and_end_as_exclusive(self, offering):
        first = make_price(*offering, "2023-03-01", "2023-06-13", input_price="2.00")
        second = make_price(*offering, "2023-06-13", input_price="1.50")
        assert list(PricePoint.objects.in_force_on(datetime.date(2023, 3, 1))) == [first]
        assert list(PricePoint.objects.in_force_on(datetime.date(2023, 6, 12))) == [first]
        assert list(PricePoint.objects.in_force_on(datetime.date(2023, 6, 13))) == [second]
        assert list(PricePoint.objects.in_force_on(datetime.date(2023, 2, 28))) == []
        assert list(PricePoint.objects.current()) == [second]
        assert second.is_current and not first.is_current

    def test_price_per_accelerator_hour_divides_the_instance_price(self):
        price = CloudPrice(price_per_hour=Decimal("98.32"), accelerators_per_instance=8)
        assert price.price_per_accelerator_hour == Decimal("12.29")


class TestModelLineage:
    def test_active_parameters_cannot_exceed_total(self):
        model = make_model(parameters=100, active_parameters=50)
        model.active_parameters = 200
        with pytest.raises(ValidationError, match="cannot exceed"):
            model.full_clean()
        assert integrity_error(lambda: FoundationModel.objects.filter(pk=model.pk).update(active_parameters=300))

    def test_a_model_cannot_descend_from_itself(self):
        parent = make_model("parent")
        child = make_model("child", base_model=parent)
        parent.base_model = child
        with pytest.raises(ValidationError, match="descend"):
            parent.full_clean()
        assert integrity_error(lambda: FoundationModel.objects.filter(pk=child.pk).update(base_model=child))

    def test_joint_work_has_several_organizations(self):
        microsoft, nvidia = make_org("microsoft"), make_org("nvidia")
        model = make_model("mt-nlg-530b", org=microsoft)
        model.organizations.add(nvidia)
        assert set(model.organizations.values_list("slug", flat=True)) == {"microsoft", "nvidia"}


class TestValidation:
    def test_country_must_be_an_iso_code(self):
        org = Organization(slug="x", name="X", country="Korea")
        with pytest.raises(ValidationError) as error:
            org.full_clean()
        assert "country" in error.value.message_dict

    def test_utilization_is_a_fraction(self):
        run = TrainingRun(slug="run", model=make_model(), utilization=46.2)
        with pytest.raises(ValidationError) as error:
            run.full_clean()
        assert "utilization" in error.value.message_dict

    def test_roles_list_the_flags_that_are_set(self):
        org = Organization(slug="g", name="G", country="US", is_chip_designer=True, is_cloud_provider=True)
        assert org.roles == ["chip designer", "cloud provider"]


class TestNaturalKeys:
    @pytest.mark.parametrize("model", [Organization, FoundationModel, Hardware])
    def test_slug_rows_round_trip_through_their_natural_key(self, model):
        obj = {Organization: make_org, FoundationModel: make_model, Hardware: make_hardware}[model]()
        assert model.objects.get_by_natural_key(*obj.natural_key()) == obj

    def test_price_points_round_trip_through_their_natural_key(self, offering):
        price = make_price(*offering, "2024-08-06")
        assert price.natural_key() == ("provider", "acme-lm-1", "standard", "2024-08-06")
        assert PricePoint.objects.get_by_natural_key(*price.natural_key()) == price

    def test_sources_are_keyed_by_url(self):
        source = Source.objects.create(
            url="https://arxiv.org/abs/2005.14165", title="Language Models are Few-Shot Learners"
        )
        assert Source.objects.get_by_natural_key("https://arxiv.org/abs/2005.14165") == source
