# Type stubs of the package groundswell (docs/python.md).
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

__version__: str
git_commit: str

class InputError(ValueError):
    """Invalid input: the message names the file or source, the key and the fix."""

_Path = Union[str, os.PathLike[str]]
_Value = Union[bool, int, float, str]

class Experiment:
    @classmethod
    def from_file(cls, path: _Path) -> Experiment: ...
    @classmethod
    def from_dict(cls, table: Mapping[str, Any], base_dir: Optional[_Path] = ...) -> Experiment: ...
    def with_overrides(self, overrides: Union[Mapping[str, _Value], Iterable[tuple[str, _Value]]]) -> Experiment: ...
    def with_organization(self, organization: Organization, directory: Optional[_Path] = ...) -> Experiment: ...
    @property
    def name(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def trials(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def scenarios(self) -> list[str]: ...
    @property
    def source_text(self) -> str: ...
    @property
    def overrides(self) -> str: ...
    def parameters(self, scenario: str) -> dict[str, str]: ...

class ScenarioResults:
    name: str
    rule: str
    description: str
    arrays: dict[str, npt.NDArray[Any]]
    info: dict[str, tuple[tuple[str, ...], str, str]]
    curves: dict[str, npt.NDArray[Any]]
    metrics: dict[str, npt.NDArray[Any]]
    attribution: dict[str, npt.NDArray[np.float32]]
    departments: dict[str, Any]

class Results(Mapping[str, ScenarioResults]):
    experiment: Experiment
    @property
    def scenarios(self) -> list[str]: ...
    @property
    def trials(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def threads(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    def __getitem__(self, name: str) -> ScenarioResults: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def summary(self) -> str: ...
    def save(self, path: _Path, force: bool = ...) -> None: ...
    def to_xarray(self, scenario: Optional[str] = ...) -> Any: ...

def run(
    experiment: Union[Experiment, _Path, Mapping[str, Any]],
    trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    scenarios: Optional[Union[str, Sequence[str]]] = ...,
    *,
    organization: Optional[Organization] = ...,
    progress: Optional[Callable[[int, int], Any]] = ...,
) -> Results: ...

class Organization:
    @classmethod
    def from_tables(cls, nodes: Any, edges: Any) -> Organization: ...
    @classmethod
    def from_networkx(
        cls,
        graph: Any,
        *,
        department: str = ...,
        manager: str = ...,
        weight: str = ...,
        formal: str = ...,
        direction: str = ...,
    ) -> Organization: ...
    def to_networkx(self) -> Any: ...
    def save(self, directory: _Path, force: bool = ...) -> None: ...
    def describe(self, top: int = ...) -> str: ...
    def exposure_network(
        self, definition: str = ..., power: float = ...
    ) -> dict[str, npt.NDArray[Any]]: ...
    @property
    def size(self) -> int: ...
    @property
    def departments(self) -> int: ...
    @property
    def ids(self) -> list[str]: ...
    @property
    def department_names(self) -> list[str]: ...
    @property
    def manager(self) -> npt.NDArray[np.int32]: ...
    @property
    def level(self) -> npt.NDArray[np.int32]: ...
    @property
    def department(self) -> npt.NDArray[np.int32]: ...
    @property
    def is_formal_leader(self) -> npt.NDArray[np.uint8]: ...
    @property
    def offsets(self) -> npt.NDArray[np.uint64]: ...
    @property
    def sources(self) -> npt.NDArray[np.uint32]: ...
    @property
    def weights(self) -> npt.NDArray[np.float32]: ...
    @property
    def formal(self) -> npt.NDArray[np.uint8]: ...
    def __len__(self) -> int: ...

def generate(
    spec: Union[Mapping[str, Any], Experiment], seed: int = ..., trial: int = ..., scenario: Optional[str] = ...
) -> Organization: ...

def data_directory() -> str: ...
def set_data_directory(directory: str) -> None: ...

class Recommendation:
    experiment: Experiment
    scenario: str
    objective: str
    horizon: int
    trials: int
    test_trials: int
    seed: int
    candidates: int
    evaluations: int
    picks: list[dict[str, Any]]
    recommended: dict[str, float]
    rules: list[dict[str, Any]]
    curve: list[dict[str, Any]]
    key_people: list[dict[str, Any]]
    credited: list[dict[str, Any]]
    seconds: float
    def report(self) -> str: ...
    def save(self, path: _Path, force: bool = ...) -> None: ...

def recommend(
    experiment: Union[Experiment, _Path],
    count: int,
    *,
    scenario: Optional[str] = ...,
    objective: str = ...,
    horizon: Optional[int] = ...,
    trials: Optional[int] = ...,
    test_trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    candidates: Optional[Union[str, int, Sequence[Union[str, int]]]] = ...,
    exclude: Optional[Union[str, int, Sequence[Union[str, int]]]] = ...,
    require: Optional[Union[str, int, Sequence[Union[str, int]]]] = ...,
    max_per_department: Optional[int] = ...,
    formal_only: bool = ...,
    informal_only: bool = ...,
    plain_greedy: bool = ...,
    curve: Optional[tuple[int, int, int]] = ...,
    target: Optional[tuple[float, int]] = ...,
    key_people: int = ...,
    threads: Optional[int] = ...,
    progress: Optional[Callable[[str], Any]] = ...,
) -> Recommendation: ...

class Calibration:
    experiment: Experiment
    parameters: list[str]
    median: list[float]
    lower: list[float]
    upper: list[float]
    posterior: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    generations: list[dict[str, Any]]
    observed_curve: npt.NDArray[np.float64]
    predictive_curves: npt.NDArray[np.float32]
    fit: float
    out_of_sample: float
    seconds: float
    def report(self) -> str: ...
    def save(self, path: _Path, force: bool = ...) -> None: ...

def calibrate(
    file: _Path,
    overrides: Optional[Union[Mapping[str, _Value], Iterable[tuple[str, _Value]]]] = ...,
    threads: Optional[int] = ...,
    progress: Optional[Callable[[str], Any]] = ...,
) -> Calibration: ...

class ObservedRecord:
    experiment: Experiment
    organization: Organization
    time: npt.NDArray[np.int32]
    role: npt.NDArray[np.uint8]
    steps: int
    ids: list[str]
    fit: int
    holdout: int
    missing: int
    never: int
    dropped: int
    unrecorded: str
    def __len__(self) -> int: ...

def observed_record(
    file: _Path,
    overrides: Optional[Union[Mapping[str, _Value], Iterable[tuple[str, _Value]]]] = ...,
) -> ObservedRecord: ...

def adoption_times(
    file_or_experiment: Union[_Path, Experiment],
    trials: int = ...,
    seed: Optional[int] = ...,
    overrides: Optional[Union[Mapping[str, _Value], Iterable[tuple[str, _Value]]]] = ...,
    threads: Optional[int] = ...,
    *,
    scenario: Optional[str] = ...,
) -> npt.NDArray[np.int32]: ...

class Sweep:
    output: str
    design: str
    parameters: list[str]
    values: npt.NDArray[np.float64]
    points: int
    computed: int
    reused: int
    written: bool
    already_complete: bool
    threads: int

def sweep(
    file: _Path,
    output: _Path,
    overrides: Optional[Union[Mapping[str, _Value], Iterable[tuple[str, _Value]]]] = ...,
    *,
    shard: Optional[str] = ...,
    threads: Optional[int] = ...,
    force: bool = ...,
    resume: bool = ...,
    progress: Optional[Callable[[int, int], Any]] = ...,
) -> Sweep: ...
