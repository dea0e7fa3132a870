"""Demo data: synthetic chest radiographs and fundus photographs in the demo archive, most processed, some with a
report."""

from __future__ import annotations

from mockservers.cad4tb.backend import Cad4tbBackend
from mockservers.dicom.synthetic import chest_file, fundus_dataset, to_part10

UPLOAD = {"upload_project", "api_instance_upload"}
REPORT = '{"tb_suspected": false, "conclusion": "normal"}'


def uploader(config: dict) -> dict | None:
    """The first configured user who may upload somewhere."""
    for name, info in (config.get("users") or {}).items():
        user = {**info, "name": name}
        if Cad4tbBackend.permissions_of(user) >= UPLOAD and any((user.get("projects") or {}).values()):
            return user
    return None


def seed(unit, studies: int, progress) -> None:
    for index in range(studies):
        with unit() as ctx:
            backend = Cad4tbBackend(ctx)
            user = uploader(ctx.config)
            if user is None:
                return
            project, archives = next((p, a) for p, a in user["projects"].items() if a)
            scope = {"Project": project, "Archive": archives[0]}
            retina = index % 5 == 4
            if retina:
                data = to_part10(fundus_dataset(ctx.seed, 2000 + index, laterality="RL"[index % 2]))
            else:
                data = chest_file(seed=ctx.seed, index=2000 + index)
            ids = backend.upload(user, {**scope, "file": (f"demo_{index:03d}.dcm", data)})
            if index % 4 != 3:  # most are processed; every fourth is left processing
                backend.finish_now({**scope, **ids})
                if index % 3 == 0 and not retina:
                    backend.add_form(user, {**scope, **ids, "FormName": "TB report", "FormSubmission": REPORT})
        progress(1)
