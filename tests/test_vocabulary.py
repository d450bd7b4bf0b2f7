"""The status vocabulary of tracker.vocabulary, defined once."""

from tracker.vocabulary import Status


def test_statuses_come_in_the_order_of_the_design():
    assert [status.label for status in Status] == [
        "Not assessed",
        "Not started",
        "In progress",
        "Stalled",
        "Partially fulfilled",
        "Fulfilled",
        "Not fulfilled",
        "Withdrawn",
        "Cannot be verified",
    ]
    assert [status.order for status in Status] == list(range(9))


def test_final_statuses_are_the_five_of_the_design():
    assert Status.final() == [
        Status.PARTIALLY_FULFILLED,
        Status.FULFILLED,
        Status.NOT_FULFILLED,
        Status.WITHDRAWN,
        Status.CANNOT_BE_VERIFIED,
    ]


def test_compliance_scores_are_plus_one_zero_minus_one_and_none_elsewhere():
    scores = {status: status.compliance_score for status in Status}
    assert scores.pop(Status.FULFILLED) == 1
    assert scores.pop(Status.PARTIALLY_FULFILLED) == 0
    assert scores.pop(Status.NOT_FULFILLED) == -1
    assert set(scores.values()) == {None}


def test_analysts_record_every_status_but_not_assessed():
    assert Status.NOT_ASSESSED not in Status.judgements()
    assert len(Status.judgements()) == 8
