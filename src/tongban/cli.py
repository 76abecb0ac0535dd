"""The ``tongban`` command line.

Every sub-command is a Django management command of one of tongban's apps (so each
domain owns its commands); hyphens map to underscores: ``tongban import-catalog`` runs
``import_catalog``. ``tongban`` alone lists them.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "迁移数据库、载入演示数据并启动服务，打印访问地址和演示账号",
    "serve": "启动 Web 服务 (gunicorn)",
    "worker": "启动后台任务进程（定时任务、队列）",
    "import-catalog": "从 Excel (.xlsx) 导入事项目录（全部成功或全部不导入）",
    "export-catalog": "导出事项目录为 Excel 或 JSON",
    "import-licences": "从 CSV 导入存量电子证照（全部成功或全部不导入）",
    "load-regions": "载入全国行政区划 (GB/T 2260)",
    "load-calendar": "载入工作日历（法定节假日与调休，来自 chinese_calendar）",
    "openapi": "生成 openapi.json（--check 检查是否与代码一致）",
    "bench": "运行性能基准，如 tongban bench search",
    "node": "节点：init 初始化密钥与注册信息，rotate-key 轮换密钥，status，replay 重新投递死信",
    "registry": "节点注册表：hub-keygen 枢纽密钥，build 签发，verify 验证，show 查看",
    "log": "节点消息日志：verify 校验哈希链，export 导出审计，prune 按保留期清理",
    "migrate": "迁移数据库",
    "createsuperuser": "创建系统管理员",
}


def _usage() -> str:
    lines = ["usage: tongban COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<16} {desc}" for name, desc in COMMANDS.items()]
    lines += ["", "Any Django management command also works (tongban help COMMAND)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return
    from django.core.management import execute_from_command_line

    args[0] = args[0].replace("-", "_")
    execute_from_command_line(["tongban", *args])


if __name__ == "__main__":
    main()
